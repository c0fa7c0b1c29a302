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
