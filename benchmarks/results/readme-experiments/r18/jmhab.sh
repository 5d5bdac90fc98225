#!/bin/bash
# jmhab.sh A B rounds frameBytes : alternate one-fork JMH runs of guestToGuest between two trees, print frames ns/op
A=$1; B=$2; R=$3; FB=${4:-64}
for r in $(seq 1 $R); do
  if [ $((r % 2)) -eq 1 ]; then order="$A $B"; else order="$B $A"; fi
  for t in $order; do
    v=$(cd $t && tools/sidecore bench jmh 'GuestToGuestPathBenchmark.guestToGuest$' -p rxChecksum=carried -p frameBytes=$FB -f 1 -wi 3 -w 1 -i 4 -r 1 2>&1 | awk '/^GuestToGuestPathBenchmark.guestToGuest:frames/ {print $(NF-3)}')
    echo "round=$r tree=$t frames_ns=$v"
  done
done
