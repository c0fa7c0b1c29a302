S("openwall/john", "doc/EXAMPLES", "293a5a8bdd6329ec2949d7e6ba4a8f1174f8b880")
add(M, "credential_access", "Command line", r'''
unshadow /etc/passwd /etc/shadow > mypasswd
john mypasswd
john --show mypasswd
john --show --shells=-/etc/expired mypasswd
john --show --shells=-expired mypasswd
john --show --shells=-expired,newuser mypasswd
john --show --users=0 mypasswd
john --show --users=0 *passwd* *.pwd
john --show --users=root mypasswd
john --show --groups=0,1 mypasswd
john --single mypasswd
john -si mypasswd
john --single passwd1 passwd2
john --single *passwd* *.pwd
john --wordlist=password.lst --rules mypasswd
john -w=password.lst -ru mypasswd
john --wordlist=all.lst --rules mypasswd
john --wordlist=mangled.lst mypasswd
john --wordlist=mangled8.lst mypasswd
john --wordlist=all.lst --rules mypasswd &
john --session=allrules --wordlist=all.lst --rules mypasswd &
john --restore
john --restore=allrules
john --wordlist=all.lst --rules --shells=sh,csh,tcsh,bash mypasswd
john --wordlist=all.lst --rules passwd1 passwd2
john --wordlist=all.lst --rules --users=0 *passwd*
john --wordlist=all.lst --rules --users=-root,solar *passwd*
john --wordlist=all.lst --rules --salts=2 *passwd*
john --wordlist=all.lst --rules --salts=-2 *passwd*
john --incremental mypasswd
john -i mypasswd
john -i=digits mypasswd
john -i -u=0 *.pwd
john -i=custom passwd3
mailer mypasswd
''')
add("ordinary", None, "Command line (candidate generation, status)", r'''
umask 077
john --wordlist=all.lst --rules --stdout | unique mangled.lst
john --wordlist=all.lst --rules --stdout=8 | unique mangled8.lst
john --status
john --status=allrules
john --make-charset=custom.chr mypasswd
john --make-charset=custom.chr passwd1 passwd2
john --make-charset=my_alpha.chr --external=filter_alpha mypasswd
makechr
''')
S("robertdavidgraham/masscan", "README.md", "f6a9d127277db8a9448487492541955cfd5b6f3f")
add("public_host", None, "Building", r'''
sudo apt-get install git gcc make libpcap-dev
git clone https://github.com/robertdavidgraham/masscan
''')
add("ordinary", None, "Building / Regression testing", r'''
cd masscan
make
make regress
bin/masscan --regress
bin/masscan 0.0.0.0/4 -p80 --rate 100000000 --offline
masscan --nmap
sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last
''')
add(M, "network_scan", "Usage / Banner checking / How to scan the entire Internet", r'''
bin/masscan 0.0.0.0/4 -p80 --rate 100000000 --router-mac 66-55-44-33-22-11
masscan -p80,8000-8100 10.0.0.0/8
masscan -p80,8000-8100 10.0.0.0/8 --echo > xxx.conf
masscan -c xxx.conf --rate 1000
masscan 10.0.0.0/8 -p80 --banners --source-ip 192.168.1.200
masscan 10.0.0.0/8 -p80 --banners --source-port 61000
masscan 10.0.0.0/8 -p80 --banners --source-port 40000
masscan 0.0.0.0/0 -p0-65535
masscan 0.0.0.0/0 -p0-65535 --excludefile exclude.txt
masscan 0.0.0.0/0 -p0-65535 -oX scan.xml
masscan 0.0.0.0/0 -p0-65535 --max-rate 100000
masscan -c myscan.conf
''')
add(M, "destructive", "Banner checking (firewall changes)", r'''
iptables -A INPUT -p tcp --dport 61000 -j DROP
sudo ipfw add 1 deny tcp from any to any 40000 in
pfctl -f /etc/pf.conf
''')
S("jpillora/chisel", "README.md", "59e5362e6bd6c0ea3e02f99209a1359416a952aa")
add("public_host", None, "Install", r'''
docker run --rm -it jpillora/chisel --help
sudo dnf -y install chisel
go install github.com/jpillora/chisel@latest
''')
add(M, "download_execute", "Install (binaries)", r'''
curl https://i.jpillora.com/chisel! | bash
''')
add(M, "tunnel", "Demo / client / SOCKS5 guide", r'''
chisel server --port $PORT --proxy http://example.com
chisel client https://chisel-demo.herokuapp.com 3000
ssh -o ProxyCommand='chisel client chiselserver stdio:%h:%p' \
          user@example.com
jpillora/chisel server --keyfile '/etc/chisel/key.pem' -p 9312 --socks5
chisel client --fingerprint 'yVg6lnXgzmJLo4Y9S0ZkHmAcKvw5ZeiNKNQ9GrUMhw8=' 203.0.113.80:9312 socks
''', note="<ck-base64 string or file path>, <see server output>, <server-address> placeholders filled with example values")
add("ordinary", None, "Usage / SOCKS5 guide", r'''
chisel --help
chisel server --help
chisel client --help
chisel server --keygen -
''')
S("yarrick/iodine", "README.md", "25867f20b488cd39ead7aafdf5589433dea521e9")
add("ordinary", None, "COMPILING", r'''
make install
make test
''')
add(M, "tunnel", "QUICKSTART / HOW TO USE / TIPS & TRICKS", r'''
./iodined -f 10.0.0.1 test.com
./iodine -f -r 192.168.0.1 test.com
./iodined -f -c -P secretpassword 192.168.99.1 t1.mydomain.com
./iodine -f -P secretpassword t1.mydomain.com
iptables -t nat -A PREROUTING -i eth0 -p udp --dport 53 -j DNAT --to :5353
''')
add(M, "exfiltration", "Testing (DNS queries to the tunnel domain)", r'''
dig -t NS foo123.t1.mydomain.com
dig -t TXT z456.t1.mydomain.com
dig -t SRV z456.t1.mydomain.com
dig -t CNAME z456.t1.mydomain.com
''')
S("sshuttle/sshuttle", "docs/usage.rst", "4b5696eff60231f4651341a980f32940243b2362")
add(M, "tunnel", "Usage", r'''
sshuttle -r username@sshserver 0.0.0.0/0
sshuttle -r username@sshserver 0/0
sshuttle --dns -r username@sshserver 0/0
''')
add(M, "privilege_escalation", "Sudoers File", r'''
sshuttle --sudoers
sshuttle --sudoers --sudoers-user mike
sshuttle --sudoers --sudoers-user %sudo
sshuttle --sudoer --sudoers-filename sshuttle_auto_mike
sshuttle --sudoer --sudoers-filename sshuttle_auto_tommy
''')
add("ordinary", None, "Sudoers File (print only)", r'''
sshuttle --sudoers-no-modify
''')
S("iagox86/dnscat2", "README.md", "b4bed049ab6164acff92968a538b7b985149f95a")
add("public_host", None, "Compiling", r'''
git clone https://github.com/iagox86/dnscat2.git
gem install bundler
bundle install
sudo apt-get install ruby-dev
gpg --keyserver hkp://keys.gnupg.net --recv-keys 409B6B1796C275462A1703113804BB82D39DC0E3
rvm install 1.9
''')
add(M, "download_execute", "Ruby as root", r'''
\curl -sSL https://get.rvm.io | bash
''')
add("ordinary", None, "Compiling / Ruby as root", r'''
cd dnscat2/client/
cd dnscat2/server/
source /etc/profile.d/rvm.sh
rvm use 1.9
''')
add(M, "tunnel", "Compiling / Running a server / Running a client", r'''
./dnscat
ruby ./dnscat2.rb
./dnscat2 --dns server=203.0.113.90,port=53
ruby ./dnscat2.rb skullseclabs.org
./dnscat --ping skullseclabs.org
./dnscat --dns server=8.8.8.8,domain=skullseclabs.org --ping
./dnscat --dns port=53531,server=localhost,domain=skullseclabs.org --ping
./dnscat2 skullseclabs.org
./dnscat2 test.com
./dnscat2 --dns host=206.220.196.59,port=5353
''', note="x.x.x.x placeholder replaced by 203.0.113.90")
S("fatedier/frp", "README.md", "83794190e34c718f440fd37d4d6ae60711d35bb1")
add(M, "tunnel", "Example Usage", r'''
./frpc -c ./frpc.toml
ssh -oPort=6000 test@203.0.113.100
ssh -o 'proxycommand socat - PROXY:203.0.113.100:%h:%p,proxyport=5002' test@machine-a.example.com
ssh -o 'proxycommand socat - PROXY:203.0.113.100:%h:%p,proxyport=5002' test@machine-b.example.com
./frps -c ./frps.toml
export FRP_SERVER_ADDR=203.0.113.100
''', note="x.x.x.x placeholder replaced by 203.0.113.100")
add(M, "exfiltration", "Forward DNS / Unix domain socket (through the frp server)", r'''
dig @203.0.113.100 -p 6000 www.google.com
curl http://203.0.113.100:6000/version
''', note="x.x.x.x placeholder replaced by 203.0.113.100")
add("ordinary", None, "Example Usage / TLS", r'''
ssh -oPort=6000 127.0.0.1
export FRP_SSH_REMOTE_PORT=6000
cp /etc/pki/tls/openssl.cnf ./my-openssl.cnf
openssl genrsa -out ca.key 2048
''')
S("vanhauser-thc/thc-hydra", "README", "714b051867365c724faf7f505c59dd0b0389ca58")
add("public_host", None, "WHERE TO GET / HOW TO COMPILE", r'''
docker pull vanhauser/hydra
svn co https://github.com/vanhauser-thc/thc-hydra
git clone https://github.com/vanhauser-thc/thc-hydra
apt-get install libssl-dev libssh-dev libidn11-dev libpcre3-dev \
                 libgtk2.0-dev libmysqlclient-dev libpq-dev libsvn-dev \
                 firebird-dev libmemcached-dev libgpg-error-dev \
                 libgcrypt11-dev libgcrypt20-dev
''')
add("ordinary", None, "HOW TO COMPILE / HOW TO USE / ADDITIONAL HINTS", r'''
./configure
./hydra -h
hydra -U smtp
./hydra -U http-post-form
cat words.txt | sort | uniq > dictionary.txt
cat dictionary.txt | pw-inspector -m 6 -c 2 -n > passlist.txt
''')
add(M, "credential_access", "HOW TO USE / LOGINS AND PASSWORDS / SPECIAL OPTIONS", r'''
hydra -l admin -p password ftp://localhost/
hydra -L default_logins.txt -p test ftp://localhost/
hydra -l admin -P common_passwords.txt ftp://localhost/
hydra -L logins.txt -P passwords.txt ftp://localhost/
hydra -C default_accounts.txt ftp://localhost/
hydra -l ftp -x 3:3:a ftp://localhost/
./hydra -l test -p test -m PLAIN 127.0.0.1 imap
./hydra -l test -p test 127.0.0.1 imap PLAIN
./hydra -l test -p test imap://127.0.0.1/PLAIN
hydra -L users.txt -P passwords.txt -M targets.txt ftp
hydra -l admin -P passwords.txt ftp://[192.168.0.0/24]/
hydra -l admin -P passwords.txt -6 smtps://[2001:db8::1]/NTLM
''', note="[some command line options] placeholders filled with a login and a password list")
S("diego-treitos/linux-smart-enumeration", "README.md", "cf6e7cd9c8b6ec4c9310e69f121222ab76853977")
add("public_host", None, "oneliners", r'''
wget "https://github.com/diego-treitos/linux-smart-enumeration/releases/latest/download/lse.sh" -O lse.sh;chmod 700 lse.sh
curl "https://github.com/diego-treitos/linux-smart-enumeration/releases/latest/download/lse.sh" -Lo lse.sh;chmod 700 lse.sh
''')
add(M, "privilege_escalation", "How to use it", r'''
./lse.sh
./lse.sh -l2 | less -r
./lse.sh -l2 -s usr010,net,pro
''')
add(M, "download_execute", "Examples (direct execution oneliners)", r'''
bash <(wget -q -O - "https://github.com/diego-treitos/linux-smart-enumeration/releases/latest/download/lse.sh") -l2 -i
bash <(curl -s "https://github.com/diego-treitos/linux-smart-enumeration/releases/latest/download/lse.sh") -l1 -i
''')
