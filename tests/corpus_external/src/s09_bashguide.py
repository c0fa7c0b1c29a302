S("Idnan/bash-guide", "README.md", "017a050473a7a24f3d362b7e92cb8c5a769e43b1")
add("ordinary", None, "1. Basic Operations", r'''
export
whatis something
whatis bash
whereis name
whereis php
which program_name
which php
cat filename
cat file1 file2
cat file1 file2 > newcombinedfile
cat < file1 > file2
cp filename1 filename2
diff filename1 filename2
file filename
file index.html
find . -name README.md
find /home/user1 -name '*.png'
gunzip filename
gzcat filename
gzip filename
head filename
lpq
lpr filename
lprm jobnumber
ls -la
more filename
mv filename1 filename2
mv old_name new_name
rm filename
tail filename
touch filename
touch trick.md
awk -F':' '{ print $1 }' /etc/passwd
cut -d " " -f2,7,9 example.txt
echo Hello World
echo -ne "Hello\nWorld\n"
egrep '(Lorem|dolor)' example.txt
grep -E '(Lorem|dolor)' example.txt
fgrep '(Lorem|dolor)' example.txt
grep -F '(Lorem|dolor)' example.txt
cat example.txt | fmt -w 20
grep pattern filename
grep admin /etc/passwd
grep -r admin /etc/
nl -s". " example.txt
sed 's/ /-/g' example.txt
sed 's/[0-9]/d/g' example.txt
sort example.txt
sort example.txt | sort -R
cat example.txt | tr 'a-z' 'A-Z'
cat example.txt | tr ' ' '\n'
sort example.txt | uniq
sort example.txt | uniq -c
wc filename
wc demo.txt
cd dirname
mkdir dirname
pwd
du -sh pictures
finger username
last yourUsername
man command
ps -u yourusername
ps -ef
quota -v
uname -a
whoami
kill 4242
killall processname
nohup command &
''', note="`kill PID` placeholder replaced by 4242")
add("ordinary", None, "2. Basic Shell Programming / 3. Tricks / 4. Debugging", r'''
str="hello world"
echo $str
array=(val val val)
source ~/.bashrc
cd $hotellogs
jobs -p | xargs kill
echo export FOO=BAR >> ~/.bash_profile
mkdir ~/bin
source ~/.bash_profile
bash -n scriptname
bash -v scriptname
bash -x scriptname
''')
