#!/bin/bash
# benchab.sh A B rounds "bench args" : alternate bench runs (ABBA), print RESULT summaries
A=$1; B=$2; N=$3; shift 3
for i in $(seq 1 $N); do
  for t in "$A" "$B"; do
    (cd $t && tools/sidecore bench "$@" --out /tmp/ab-$(basename $t)-$i 2>&1) | grep -E "^RESULT" | awk -v t=$(basename $t) '{printf "%s %s", t, strftime("%T")} {for(i=2;i<=NF;i++) if ($i ~ /^(guests|frame|mpps|ns_per_frame|busy|saturated|guest_cpu|sidecore_off_cpu)=/) printf " %s", $i; print ""}'
  done
  T=$A; A=$B; B=$T
done
