_CHEAT = "placeholders in angle brackets (<file>, <image-name>, ...) replaced by example names"
S("cheat/cheatsheets", "find", "1535ac51db421faf957aa2a82a9d048e74049c83")
add("ordinary", None, "find", r'''
find -L . -type f
find . -iname "*.jpg"
find . -type d
find . -type f
find . -type f -perm 777
find . -type f -ctime -1 -print0 | xargs -0 -p cp -t ~/dropbox-personal/ronna-pics/
find . -type f -ctime -1 -print0 | xargs -0 -p -J % cp % ~/dropbox-personal/ronna-pics/
find ./path/ -name '*.txt' -exec rm '{}' \;
find ./path/ -name '*.txt' | xargs grep 'string'
find . -size +5M -type f -print0 | xargs -0 ls -Ssh | sort -z
find . -type f -size +200000000c -exec ls -lh {} \; | awk '{ print $9 ": " $5 }'
find . -type f -mtime +7d -ls
find . -type l -user alice -ls
find . -type d -empty -exec rmdir {} \;
find . -maxdepth 2 -name build -type d
find . ! -iwholename '*.git*' -type f
find . -type f -samefile MY_FILE_HERE 2>/dev/null
find . -type f -exec chmod 644 {} \;
find . -type f -ctime -48h
find . -type f -ctime -2
find . -name '*,*' | while read f; do echo mv "$f" "${f//,/}"; done
''', note=_CHEAT)
add(M, "privilege_escalation", "find (setuid)", r'''
find . -xdev \( -perm -4000 \) -type f -print0 | xargs -0 ls -l
''')
S("cheat/cheatsheets", "docker", "05546e33d8a932cfca5d63c4a9480994d6d6cdcd")
add("ordinary", None, "docker", r'''
docker exec -ti web bash
docker inspect web
docker inspect --format {{.State.Pid}} web
docker inspect --format='{{json .Volumes}}' 4f2a9c | python -mjson.tool
docker cp foo.txt mycontainer:/foo.txt
docker ps
docker ps -a
docker images
docker rmi $(docker images | grep "^<none>" | awk "{print $3}")
''', note=_CHEAT)
S("cheat/cheatsheets", "date", "10c9717d2a41e637ce0941dd22738663e2db4421")
add("ordinary", None, "date", r'''
date +"%Y%m%d_%H%M%S"
date -d @1440359821
date -r 1440359821
date +%Z
date -R
date -u
TZ=CET date
TZ='America/Los_Angeles' date
''')
S("cheat/cheatsheets", "du", "10c9717d2a41e637ce0941dd22738663e2db4421")
add("ordinary", None, "du", r'''
du -sk *| sort -rn
du -shL
du -h --apparent-size
du -sh * | sort -rh
''')
S("cheat/cheatsheets", "cut", "21a9b8e1de3317be1e63bb7d44ff869a66fee40f")
add("ordinary", None, "cut", r'''
cut -d # -f 3
cut -d # -f 3-5
''')
S("cheat/cheatsheets", "ffmpeg", "19d920509cc5bb20b00aca6c179129d6b51058d0")
add("ordinary", None, "ffmpeg", r'''
ffmpeg -i movie.mp4
for f in *.m4a; do ffmpeg -i "$f" -acodec libmp3lame -vn -b:a 320k "${f%.m4a}.mp3"; done
ffmpeg -i input.foo -vcodec bar -acodec baz -b:v 21000k -b:a 320k -g 150 -threads 4 output.bar
ffmpeg -r 18 -pattern_type glob -i '*.png' -b:v 21000k -s hd1080 -vcodec vp9 -an -pix_fmt yuv420p -deinterlace output.ext
ffmpeg -i video.ext -i audio.ext -c:v copy -c:a copy output.ext
ffmpeg -i input_video.mp4 -vf ass=sub.ass output_video_subtitles.mp4
ffmpeg -i input_video.webm output_video.mp4
ffmpeg -i input_video.mp4 -acodec copy -vcodec copy -f mov output_video.mov
ffmpeg -i input_video.mov -vcodec copy -acodec copy output_video.mp4
ffmpeg -i input_video.ext -filter:v fps=fps=30 output_video.ext
ffmpeg -ss 00:34:24.85 -t 10 -i path/to/file.mp4 -f mp3 pipe:play | ffplay -i pipe:play -autoexit
cat mylist.txt
ffmpeg -f concat -safe 0 -i mylist.txt -c copy output.mp4
''', note=_CHEAT)
S("cheat/cheatsheets", "conda", "1ba81b4f12f126a6ddcb84a3ea26cd14f440a28b")
add("ordinary", None, "conda", r'''
conda env list
conda create --name 'ENVNAME'
conda activate 'ENVNAME'
''')
add("public_host", None, "conda", r'''
conda create --name 'ENVNAME' python=3.10
conda install --file requirements.txt
''')
S("cheat/cheatsheets", "git", "0fe9371213d622242eecfa07baf83520482bbe9b")
add("ordinary", None, "git", r'''
git config --global user.name "Ada Lovelace"
git config --global user.email ada@example.com
git config --global core.editor vim
git config --global color.ui true
git add --all
git stash
git stash push -m "wip: parser"
git stash list
git stash pop
git stash apply stash@{6}
git commit -m "Fix the parser"
git commit --amend
git commit --date="`date --date='2 day ago'`"
git commit --date="Jun 13 18:30:25 IST 2015"
git reset --hard
git reset --hard HEAD~2
git update-ref -d HEAD
git clean -f -d
git clean -f -d -x
git branch -D feature-x
git branch -u upstream/foo
git blame src/main.c
git remote add upstream git@github.com:octocat/hello.git
git remote -v
git branch -va
git checkout -b new_branch
git merge upstream/master
git show 83fb499
git show 83fb499:path/fo/file.ext
git diff branch_1 branch_2
git log
git log --pretty=email --patch-with-stat --reverse --full-index -- Admin\*.py > Sripts.patch
git --git-dir=../some_other_repo/.git format-patch -k -1 --stdout 83fb499 | git am -3 -k
git log @{u}..
git log -p feature --not master
git diff master...feature
git rebase -i @~7
git diff --no-index path/to/file/A path/to/file/B
git reset --hard origin/master
git checkout --orphan branch_name
git checkout -b master upstream/master
git show :/cool
git checkout -p HEAD^ -- /path/to/file
git revert 83fb499
git cherry-pick 83fb499
''', note=_CHEAT)
add("public_host", None, "git", r'''
git push origin master
git push git@github.com:octocat/hello.git
git push origin v1.2.0
git push -f
git fetch upstream
git fetch --all
git submodule update --init --recursive
git clone --depth 1 https://github.com/octocat/hello.git
git pull --unshallow
git remote prune origin
''', note=_CHEAT)
S("cheat/cheatsheets", "tar", "3a5155c1b11c2ef0d0d2812f406e0e5a1e02910b")
add("ordinary", None, "tar", r'''
tar -xvf /path/to/foo.tar
tar -cvf /path/to/foo.tar /path/to/foo/
tar -xzvf /path/to/foo.tgz
tar -czvf /path/to/foo.tgz /path/to/foo/
tar -ztvf /path/to/foo.tgz
tar -xjvf /path/to/foo.tgz
tar -cjvf /path/to/foo.tgz /path/to/foo/
tar -xvf /path/to/foo.tar -C /path/to/destination/
tar -jtvf /path/to/foo.tgz
tar czvf /path/to/foo.tgz --exclude=\*.{jpg,gif,png,wmv,flv,tar.gz,zip} /path/to/foo/
''')
S("cheat/cheatsheets", "grep", "60f5384600a8fb33f74a64639b93326a1846d7ae")
add("ordinary", None, "grep", r'''
grep TODO notes.txt
grep -in TODO notes.txt
grep -R TODO src
grep -f patterns.txt notes.txt
grep -v TODO notes.txt
grep -B 3 -A 2 TODO notes.txt
grep "^00" notes.txt
grep -E "[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}" access.log
grep -rnw src -e TODO
ps aux | grep '[h]ttpd'
ps aux | grep -E --color 'bash|$'
''', note=_CHEAT)
S("cheat/cheatsheets", "sed", "c07bca7d9fcd8fe54f25c8e11b4d9c6670648da0")
add("ordinary", None, "sed", r'''
sed 's/day/night/g' story.txt
sed -i 's/day/night/g' story.txt
echo 'It is daytime' | sed 's/day/night/g'
sed -i -r 's/^\s+//g' story.txt
sed '/^$/d' story.txt
sed ':a;N;$!ba;s/\n//g' story.txt
sed '/Once upon a time/i\Chapter 1'
sed '/happily ever after/a\The end.'
''', note=_CHEAT)
S("cheat/cheatsheets", "curl", "69e7b6b230c37707bc3ce4724107b4337c335239")
add("public_host", None, "curl", r'''
curl https://example.com/file.txt
curl https://example.com/file.txt -o file.txt
curl -O https://example.com/a.txt -O https://example.com/b.txt
curl http://example.com/pic[1-24].jpg
curl -u alice:secret https://example.com/file.txt
curl -u alice:secret -O ftp://example.com/pub/file.zip
curl ftp://username:password@example.com
curl -C - -o file.part https://example.com/file.iso
curl -I https://example.com/
curl http://ifconfig.me/all.json
curl httpbin.org/ip
curl -o /dev/null -w '%{http_code}\n' -s -I https://example.com/
''', note=_CHEAT)
S("cheat/cheatsheets", "ssh", "3a5155c1b11c2ef0d0d2812f406e0e5a1e02910b")
add(M, "tunnel", "ssh (port forwarding, SOCKS)", r'''
ssh -f -L 8080:remote.example.com:5000 user@personal.server.com -N
ssh -qND 9999 alice@bastion.example.com
ssh -o "ProxyCommand nc -x 127.0.0.1:9999 -X 4 %h %p" alice@internal.example.com
''', note=_CHEAT)
add(M, "exfiltration", "ssh (copy a folder out through ssh)", r'''
ssh alice@backup.example.com "cd /var/www/Shared/; tar zcf - asset1 asset2" | tar zxf -
''', note=_CHEAT)
S("cheat/cheatsheets", "rsync", "30b283215c13c26ea2e2b8e7c02acd53e31d3011")
add("ordinary", None, "rsync (local)", r'''
rsync -avc src/ backup/
rsync -auv src backup
rsync -auv src/ backup
rsync -auv --del src backup
''', note=_CHEAT)
S("cheat/cheatsheets", "tmux", "69e7b6b230c37707bc3ce4724107b4337c335239")
add("ordinary", None, "tmux", r'''
tmux
tmux attach
tmux attach -d
tmux ls
tmux -S /tmp/your_shared_session
''')
S("cheat/cheatsheets", "npm", "3a5155c1b11c2ef0d0d2812f406e0e5a1e02910b")
add("public_host", None, "npm", r'''
npm install lodash
npm install --save lodash
npm install --save-dev jest
npm outdated
npm update
npm install -g npm
''', note=_CHEAT)
add("ordinary", None, "npm", r'''
npm uninstall lodash
''', note=_CHEAT)
S("cheat/cheatsheets", "pip", "3a5155c1b11c2ef0d0d2812f406e0e5a1e02910b")
add("public_host", None, "pip", r'''
pip search requests
pip install requests
pip install --user requests
pip install --upgrade requests
pip install -r requirements.txt
pip list --outdated
pip freeze --local | grep -v '^\-e' | cut -d = -f 1 | xargs -n1 pip install -U
pip list --outdated --format=freeze | cut -d = -f 1 | xargs -n1 pip install -U
pip install -I SomePackage1==1.1.0 'SomePackage2>=1.0.4'
''', note=_CHEAT)
add("ordinary", None, "pip", r'''
pip freeze > requirements.txt
pip show requests
''', note=_CHEAT)
S("cheat/cheatsheets", "openssl", "10c9717d2a41e637ce0941dd22738663e2db4421")
add("ordinary", None, "openssl", r'''
openssl genrsa -out server.key 2048
openssl req -new -key server.key -out server.csr
openssl x509 -req -days 365 -in server.csr -signkey server.key -out server.crt
openssl req -text -noout -in server.csr
openssl x509 -text -noout -in server.crt
openssl x509 -in server.crt -noout -sha256 -fingerprint
openssl dhparam -outform PEM -out dhparams.pem 2048
openssl enc -e -aes-256-cbc \
  -salt \
  -pbkdf2 \
  -iter 1000000 \
  -md sha512 \
  -base64 \
  -in somefile \
  -out somefile.enc
''')
add("public_host", None, "openssl", r'''
echo | openssl s_client -connect example.com:443 2> /dev/null | \
awk '/-----BEGIN/,/END CERTIFICATE-----/' | \
openssl x509 -noout -enddate
''', note=_CHEAT)
S("cheat/cheatsheets", "xargs", "1df08c374482cbb2f2befd4c22f4b325adec2de2")
add("ordinary", None, "xargs", r'''
find -type f -name '*.pdf' | xargs rm -f
find -type f -name '*.pdf' -print0  | xargs --null rm -f
find -name '*.pdf' | xargs --max-procs=4 rm -f
find -name *.pdf | xargs -I{} -n1 echo '&{}='
find -name "*.pdf" | xargs --no-run-if-empty rm
''')
S("cheat/cheatsheets", "ls", "1535ac51db421faf957aa2a82a9d048e74049c83")
add("ordinary", None, "ls", r'''
ls src
ls -a src
ls -lh src
ls -S src
ls -d */ src
ls -d .*/ */ src
ls -ltc
ls -lt
''', note=_CHEAT)
S("cheat/cheatsheets", "systemctl", "1a15fded72cd07529ef4f28159b96b9c16427947")
add("ordinary", None, "systemctl", r'''
systemctl
systemctl status foo.service
systemctl start foo.service
systemctl restart foo.service
systemctl stop foo.service
systemctl reload foo.service
systemctl daemon-reload
systemctl enable foo.service
systemctl disable foo.service
systemctl list-units
systemctl list-units -at service
systemctl list-units -t service --state running
systemctl list-unit-files -at service
systemctl list-units --all --state=inactive
systemctl list-unit-files
journalctl -b
journalctl -k
journalctl -b -u foo.service
systemctl list-dependencies foo.service
systemctl show foo.service
systemctl list-units --type=target
''')
S("cheat/cheatsheets", "awk", "483ce037ad83132c16556808530939247a0c5e3c")
add("ordinary", None, "awk", r'''
printf '1\n2\n3\n' | awk '{ sum += $1} END {print sum}'
printf '1:2:3' | awk -F ":" '{print $1+$2+$3}'
seq 9 | sed 'H;g' | awk -v RS='' '{for(i=1;i<=NF;i++)printf("%dx%d=%d%s", i, NR, i*NR, i==NR?"\n":"\t")}'
printf '1 2 3' | awk 'BEGIN {OFS=":"}; {print $1,$2,$3}'
printf "george jetson\nolive oyl\nbeetle bailey" | awk '$2=="bailey"{print $0}'
printf "george jetson\nolive oyl\nbeetle bailey" | awk '/ley$/{print $0}'
''')
S("cheat/cheatsheets", "chmod", "69e7b6b230c37707bc3ce4724107b4337c335239")
add("ordinary", None, "chmod", r'''
chmod a+x myscript.sh
chmod u=rwx, go=r myscript.sh
chmod a-w myscript.sh
chmod = myscript.sh
chmod 644 myscript.sh
chmod 755 myscript.sh
chmod 666 myscript.sh
''')
S("cheat/cheatsheets", "apt-get", "3a5155c1b11c2ef0d0d2812f406e0e5a1e02910b")
add("public_host", None, "apt-get", r'''
apt-get update
apt-get upgrade
apt-get dist-upgrade
apt-get update && apt-get dist-upgrade
apt-get install build-essential
apt-get download curl
''', note=_CHEAT)
add("ordinary", None, "apt-get", r'''
grep 'install ' /var/log/dpkg.log
''')
S("cheat/cheatsheets", "tail", "e2810df5faa09753d19453a4b8b6f29aaabfd596")
add("ordinary", None, "tail", r'''
tail "logs/app.log"
tail -n 50 "logs/app.log"
tail -n +20 "logs/app.log"
tail -c 512 "logs/app.log"
tail -f "logs/app.log"
''', note=_CHEAT)
S("cheat/cheatsheets", "gcc", "ee20ca9c8b33d403163e2e9b6d7b984cb7de2a5c")
add("ordinary", None, "gcc", r'''
gcc file.c
gcc -o file file.c
gcc -g
gcc -ggdb3
gcc -m64
gcc -isystem /usr/include/myPersonnal/lib/
gcc -mwindows
''')
S("cheat/cheatsheets", "python", "ee20ca9c8b33d403163e2e9b6d7b984cb7de2a5c")
add("ordinary", None, "python", r'''
python -m SimpleHTTPServer
python -m http.server 8000
python -m smtpd -n -c DebuggingServer localhost:1025
python -mjson.tool
''')
S("cheat/cheatsheets", "zip", "0f0a0202ecdfe04cee3778a2c993b8282892a545")
add("ordinary", None, "zip", r'''
zip archive.zip file1 directory/
zip -r archive.zip directory/
zip -P password archive.zip file1
zip -FF splitZipfile.zip --out joined.zip
cheat unzip
''')
S("cheat/cheatsheets", "sort", "ac266ef83e6e0635b0be29b92d7cfd4eff3d78bb")
add("ordinary", None, "sort", r'''
sort names.txt
sort -u names.txt
sort -r names.txt
sort -R names.txt
sort names.txt -o sorted.txt
sort -T /data/tmp names.txt
''', note=_CHEAT)
S("cheat/cheatsheets", "wget", "38eb7196a9214324cf60581a93f3e17f916db93a")
add("public_host", None, "wget", r'''
wget https://example.com/archive.tar.gz
wget https://example.com/a.txt https://example.com/b.txt
wget https://example.com/archive.tar.gz -O release.tar.gz
wget -P downloads https://example.com/archive.tar.gz
wget -c https://example.com/archive.tar.gz
wget -i url_list.txt
wget -pk https://example.com/
wget -mk https://example.com/
wget http://example.com/files-{1..15}.tar.bz2
wget -r -l1 -A.extension http://example.com/directory
wget -S --spider -O - https://example.com/
wget -U 'toto' https://example.com/
wget --limit-rate=500k https://example.com/archive.tar.gz
''', note=_CHEAT)
S("cheat/cheatsheets", "bash", "0613f11259cf9acacd1ed43dd14cc9115022d9fe")
add("ordinary", None, "bash (pitfalls)", r'''
shopt -s nullglob
cp "./.replit" "$HOME/Documents/.replit" || exit 1
[[ $variable == 'Emily Grace Seville' ]]
[[ $variable == [0-9]+ ]]
cd "$(dirname "$HOME/Documents/.replit")" || exit 1
[[ $first_variable == 'Emily' && $second_variable == 'Seville' ]]
((variable > 7))
declare -i line_count=0
read variable
sed -i 's/foo/bar/g' "$file_name"
echo 'There are several *.zip files in the current folder'
declare -i i=0
echo "$i"
declare variable
variable="$(some_command)"
echo "$?"
some_command | LC_COLLATE=C tr '[:upper:]' '[:lower:]'
printf '%s\n' "$message"
printf 'foo' | fgrep 'foo' | sed 's/foo/bar/'
echo ${PIPESTATUS[1]]}
( set -o noclobber; echo > my.lock ) || echo 'Failed to create lock file'
set -x
set +x
''')
S("cheat/cheatsheets", "apt", "10c9717d2a41e637ce0941dd22738663e2db4421")
add("public_host", None, "apt", r'''
apt update
apt upgrade
apt dist-upgrade
apt update && apt upgrade
apt install ripgrep
''', note=_CHEAT)
add("ordinary", None, "apt", r'''
apt search ripgrep
apt show ripgrep
apt remove ripgrep
''', note=_CHEAT)
S("cheat/cheatsheets", "brew", "10c9717d2a41e637ce0941dd22738663e2db4421")
add("public_host", None, "brew", r'''
brew update
brew upgrade
brew upgrade wget
brew install wget
brew install --cask firefox
''', note=_CHEAT)
add("ordinary", None, "brew", r'''
brew uninstall wget
brew list
brew doctor
brew cleanup
''', note=_CHEAT)
S("cheat/cheatsheets", "convert", "36ee34f210dca633edab77778c8664265b8ea9f1")
add("ordinary", None, "convert", r'''
convert photo.jpg photo.pdf
convert photo.jpg -rotate 180 rotated.jpg
convert photo.jpg -resize 100x small.jpg
convert photo.jpg -resize x100 small.jpg
convert photo.jpg -resize 100x100 thumb.jpg
convert photo.jpg -resize 100x small.png
convert -density 150 report.pdf -quality 80 'output.jpg'
convert -density 150 report.pdf -quality 80 'output-%d.jpg'
''', note=_CHEAT)
S("cheat/cheatsheets", "alias", "1eafee576a3242cc14794fd208e52bc6cfe84ef6")
add("ordinary", None, "alias", r'''
alias
alias ll='ls -l'
unalias ll='ls -l'
''')
S("cheat/cheatsheets", "cp", "1535ac51db421faf957aa2a82a9d048e74049c83")
add("ordinary", None, "cp", r'''
cp ~/Desktop/foo.txt ~/Downloads/foo.txt
cp -r ~/Desktop/cruise_pics/ ~/Pictures/
cp -i ~/Desktop/foo.txt ~/Documents/foo.txt
cp foo.txt{,."$(date +%Y%m%d-%H%M%S)"}
cp -P /path/to/symlink-dir
''')
S("cheat/cheatsheets", "cd", "66d31ca710505971383549849b04d236e44780bf")
add("ordinary", None, "cd", r'''
cd src/app
cd
cd ..
cd -P src/app
''', note=_CHEAT)
S("cheat/cheatsheets", "ab", "ae6650846d6d4ea191e76c73a001c72f3474a2cc")
add("ordinary", None, "ab (against a local server)", r'''
ab -n 100 -c 50 http://127.0.0.1:8000/
ab -t 30 -c 50 http://127.0.0.1:8000/
''', note=_CHEAT)
S("cheat/cheatsheets", "chown", "8bc3fe4660fb7968b9d3dccc2aa5ab0aa8d48532")
add("ordinary", None, "chown", r'''
chown alice notes.txt
chown alice:staff notes.txt
chown alice: notes.txt
chown -R alice build
chown --reference=template.txt notes.txt
''', note=_CHEAT)
S("cheat/cheatsheets", "df", "4d45af6a34df51bce2ce90515b6ef703531bd713")
add("ordinary", None, "df", r'''
df -BG
''')
S("cheat/cheatsheets", "comm", "9d4dae719e0fc2237956215264dab0a844dac85d")
add("ordinary", None, "comm", r'''
comm -12 <(sort file1.csv) <(sort file2.csv)
comm -23 file1.txt file2.txt
''', note=_CHEAT)
S("cheat/cheatsheets", "cmp", "140a8f8b4e6489b54e88f5a803321dfcd9b1d590")
add("ordinary", None, "cmp", r'''
cmp "$path_to_file_1" "$path_to_file_2"
cmp -b "$path_to_file_1" "$path_to_file_2"
cmp -bl "$path_to_file_1" "$path_to_file_2"
cmp -i 100 "$path_to_file_1" "$path_to_file_2"
cmp -n 200 "$path_to_file_1" "$path_to_file_2"
cmp -s "$path_to_file_1" "$path_to_file_2"
''')
S("cheat/cheatsheets", "fd", "3170f3130b0167b952581b4ad29d1ee21768cdfd")
add("ordinary", None, "fd", r'''
fd config
fd config src
fd -e py config
fd -g setup.py
fd -H config
fd -E node_modules config
''', note=_CHEAT)
S("cheat/cheatsheets", "ag", "4b9940506bc5bcb6563780f9cc883b64328d0440")
add("ordinary", None, "ag", r'''
ag TODO --ignore-dir=vendor
ag TODO --ignore=generated.go
ag TODO --color | less -R
ag TODO -G '\.py$'
''', note=_CHEAT)
S("cheat/cheatsheets", "cpio", "1a7cc0710733b8a77dd722b00af43c020cfdd7c3")
add("ordinary", None, "cpio", r'''
ls | cpio -o > backup.cpio
cpio --extract --make-directories < backup.cpio
''', note=_CHEAT)
S("cheat/cheatsheets", "7z", "0d193af7ced3c76b7a40195f08ad4b6491e29893")
add("ordinary", None, "7z", r'''
tar cf - directory | 7z a -si directory.tar.7z
7z x -so directory.tar.7z | tar xf -
7z a archive.7z dir1
7z a -t7z -m0=lzma -mx=9 -mfb=64 -md=32m -ms=on archive.7z dir1
7z a -m0=copy archive.7z dir1
''')
