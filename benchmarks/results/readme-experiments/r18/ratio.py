import sys,statistics
L=[l.split() for l in open(sys.argv[1])]
d={}
for r,t,v in L:
    d.setdefault(r,{})[t.split('=')[1]]=float(v.split('=')[1])
A,B=sys.argv[2],sys.argv[3]
rat=[x[B]/x[A] for x in d.values() if len(x)==2]
print(len(rat),'median B/A',round(statistics.median(rat),3),'B wins',sum(1 for x in rat if x<1),[round(x,3) for x in rat])
print('A',sorted(x[A] for x in d.values() if len(x)==2))
print('B',sorted(x[B] for x in d.values() if len(x)==2))
