S("jlevy/the-art-of-command-line", "README.md", "00082dc6babf49c2d7c5ba5fb845bd7c238bc8d2")
add("ordinary", None, "Basics / Everyday use", r'''
man bash
man man
help -d
type command
ls -l
tail -f
less +F
du -hs *
ls -i
df -i
set -o vi
set -o emacs
export EDITOR=vim
history
cd -
find . -name '*.py' | xargs grep some_function
pstree -p
man 7 signal
netstat -lntp
ss -plat
lsof -iTCP -sTCP:LISTEN -P -n
uptime
alias ll='ls -latr'
locate -0 pattern | xargs -0 ls -al
find / -print0 -type d | xargs -0 ls -al
IFS=$'\n'
set -euo pipefail
trap "echo 'error: Script failed: see failed command above'" ERR
(cd /some/other/dir && other-command)
input_file=${1:?usage: $0 input_file}
output_file=${2:-logfile}
i=$(( (i + 1) % 5 ))
echo ${var%.pdf}.txt
mv foo.{txt,pdf} some-dir
cp somefile{,.bak}
mkdir -p test-{a,b,c}/subtest-{1,2,3}
some-command >logfile 2>&1
some-command &>logfile
man ascii
stat -c '%A %a %n' /etc/timezone
python -m http.server 7777
''')
add("ordinary", None, "Processing files and data", r'''
find . -iname '*something*'
locate something
lynx -dump -stdin
ls -al | tee file.txt
export LC_ALL=C
TZ=Pacific/Fiji date
perl -pi.bak -e 's/old-string/new-string/g' my-files-*.txt
repren --full --preserve-case --from foo --to bar .
repren --renames --from '(.*)\.bak' --to '\1' *.bak
rename 's/\.bak$//' *.bak
mkdir empty && rsync -r --delete empty/ some-dir && rmdir some-dir
sort -k1,1 | sort -s -k2,2
diff -r tree1 tree2 | diffstat
uconv -f utf-8 -t utf-8 -x '::Any-Lower; ::Any-NFD; [:Nonspacing Mark:] >; ::Any-NFC; ' < input.txt > output.txt
getfacl -R /some/path > permissions.txt
setfacl --restore=permissions.txt
''')
add("ordinary", None, "System debugging / One-liners / Obscure but useful", r'''
iostat -mxz 15
kill -3 12345
du -sh *
uname -a
lsb_release -a
dmesg
lsof | grep deleted | grep "filename-of-my-big-file"
sort a b | uniq > c
sort a b | uniq -d > c
sort a b b | uniq -u > c
grep . *
head -100 *
awk '{ x += $3 } END { print x }' myfile
find . -type f -ls
egrep -o 'acct_id=[0-9]+' access.log | cut -d= -f2 | sort | uniq -c | sort -rn
watch -d -n 2 'ls -rtlh | tail'
watch -d -n 2 ifconfig
grep -v something some-file | sponge some-file
sw_vers
''', note="<pid> placeholder replaced by 12345 in `kill -3`")
add("public_host", None, "One-liners", r'''
curl -s 'https://raw.githubusercontent.com/jlevy/the-art-of-command-line/master/README.md' | egrep -o '`\w+`' | tr -d '`' | cowsay -W50
''')
