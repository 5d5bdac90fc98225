#!/bin/bash
# 64 guests against one, alternating the order of the two cases in each run.
cd /work/main
for r in 1 2 3 4 5 6; do
  if (( r % 2 )); then G=1,64; else G=64,1; fi
  echo "=== run $r guests=$G $(date +%T)"
  tools/sidecore bench --modes polling --paths g2g --frames 64 --csb off --loads all --guests $G \
    --repeats 3 --seconds 2 --warmup-seconds 2 --no-idle --no-jfr --out /work/lead/s17/g64-$r 2>&1 | grep -E "^(RESULT|HOST)"
done
echo "=== end $(date +%T)"
