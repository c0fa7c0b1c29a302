S("jasonniebauer/Nmap-Cheatsheet", "README.md", "02165df27190eeb04b80ff48f220d38bb329285e")
add(M, "network_scan", "Basic Scanning / Port Scanning / Output / Troubleshooting / NSE", r'''
nmap 203.0.113.10
nmap 203.0.113.10 203.0.113.11 203.0.113.12
nmap -iL list.txt
nmap 203.0.113.1-50
nmap 198.51.100.0/24
nmap -iR 100
nmap 198.51.100.0/24 --exclude 198.51.100.1
nmap 198.51.100.0/24 --excludefile list.txt
nmap -A 203.0.113.10
nmap -6 2001:db8::10
nmap -F 203.0.113.10
nmap -p 22,80,443 203.0.113.10
nmap -p http,https 203.0.113.10
nmap -sU -sT -p U:53,T:22 203.0.113.10
nmap -p 1-65535 203.0.113.10
nmap --top-ports 100 203.0.113.10
nmap -r 203.0.113.10
nmap -O --osscan-guess 203.0.113.10
nmap -sV 203.0.113.10
nmap -sV --version-trace 203.0.113.10
nmap -sR 203.0.113.10
nmap -oN scan.txt 203.0.113.10
nmap -oX scan.xml 203.0.113.10
nmap -oG scan.txt 203.0.113.10
nmap -oA scans/target 203.0.113.10
nmap --stats-every 10s 203.0.113.10
nmap -oS scan.txt 203.0.113.10
nmap -v 203.0.113.10
nmap -d 203.0.113.10
nmap --reason 203.0.113.10
nmap --open 203.0.113.10
nmap --packet-trace 203.0.113.10
nmap -e eth0 203.0.113.10
nmap --script http-title.nse 203.0.113.10
nmap --script "http-*" 203.0.113.10
nmap --script vuln 203.0.113.10
nmap --script default,safe 203.0.113.10
nmap --script banner --script-trace 203.0.113.10
''', note="bracketed placeholders ([target], [port(s)], [list.txt], ...) filled with documentation addresses and example values")
add("ordinary", None, "Compare Scans / Get Help", r'''
ndiff scan1.xml scan2.xml
ndiff -v scan1.xml scan2.xml
nmap -h
nmap -V
''')
