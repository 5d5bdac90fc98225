import re,collections,sys
txt=open(sys.argv[1]).read()
evs=txt.split('jdk.ExecutionSample')
leaf=collections.Counter(); incl=collections.Counter(); c=collections.Counter()
n=0
for e in evs[1:]:
    fr=re.findall(r'^\s+([\w\.\$<>]+)\(.*?line: (\d+)',e,re.M)
    if not fr: continue
    n+=1
    seen=set()
    for f,l in fr:
        if f not in seen: incl[f]+=1; seen.add(f)
    c[' <- '.join(f.split('.')[-1]+':'+l for f,l in fr[:3])]+=1
print(n)
for k,v in c.most_common(30): print(f"{100*v/n:5.1f} {k}")
print('---incl')
for k,v in incl.most_common(60)[14:]: print(f"{100*v/n:5.1f} {k}")
