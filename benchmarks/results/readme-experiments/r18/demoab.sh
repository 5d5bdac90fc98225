#!/bin/bash
# demoab.sh A B rounds : alternate demo runs of two trees; prints SUMMARY lines tagged
A=$1; B=$2; N=${3:-3}
for i in $(seq 1 $N); do
  for t in "$A" "$B"; do
    if (( i % 2 == 0 )); then :; fi
    line=$(cd $t && tools/sidecore demo --guests 8 --seconds 5 2>/dev/null | grep SUMMARY)
    echo "$(basename $t) $(date +%T) $line"
  done
  T=$A; A=$B; B=$T
done
