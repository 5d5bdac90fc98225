import sys,statistics as st
d={}
for l in open(sys.argv[1]):
    f=l.split(); t=f[0]; kv=dict(x.split('=') for x in f[2:])
    if 'guests' not in kv: continue
    d.setdefault((kv['guests'],kv['frame'],t),[]).append(float(kv['mpps']))
keys=sorted(set(k[:2] for k in d))
for g,fr in keys:
    a=d[(g,fr,'base')]; b=d[(g,fr,'main')]
    r=[y/x for x,y in zip(a,b)]
    print('guests',g,'frame',fr,'base',' '.join('%.2f'%x for x in a),'| main',' '.join('%.2f'%x for x in b))
    print('   medians base %.3f main %.3f; pair ratios main/base'%(st.median(a),st.median(b)), ' '.join('%.2f'%x for x in r), 'median %.3f'%st.median(r), 'wins %d/%d'%(sum(x>1 for x in r),len(r)))
