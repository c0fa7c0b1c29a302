S("git/git", "Documentation/giteveryday.txt", "03b91c8b034b1301aa4bfb424e744eff87882907")
add("ordinary", None, "Individual Developer (Standalone) / (Participant) / Integrator / Administration", r'''
tar zxf frotz.tar.gz
cd frotz
git init
git add .
git commit -m "import of frotz source tree."
git tag v2.43
git checkout -b alsa-audio
git checkout -- curses/ux_audio_oss.c
git add curses/ux_audio_alsa.c
git diff HEAD
git commit -a -s
git diff HEAD^
git commit -a --amend
git checkout master
git merge alsa-audio
git log --since='3 days ago'
git log v2.43.. curses/
cd my2.6
git checkout -b mine master
git format-patch master
git log -p ORIG_HEAD.. arch/i386 include/asm-i386
git reset --hard ORIG_HEAD
git gc
git config --get-regexp '^(remote|branch)\.'
git config remote.origin.push \
	   +refs/heads/*:refs/remotes/satellite/*
git merge satellite/master
git checkout -b private2.6.14 v2.6.14
git cherry-pick v2.6.14..private2.6.14
git format-patch -k -m --stdout v2.6.14..private2.6.14 | git am -3 -k
git status
git branch --no-merged master
git checkout -b topic/one master
git am -3 -i -s ./+to-apply
git checkout -b hold/linus && git am -3 -i -s ./+hold-linus
git checkout topic/one && git rebase master
git checkout pu && git reset --hard next
git merge topic/one topic/two && git merge hold/linus
git checkout maint
git cherry-pick master~4
git tag -s -m "GIT 0.99.9x" v0.99.9x
grep 9418 /etc/services
grep git /etc/inetd.conf
cat /etc/xinetd.d/git-daemon
grep git /etc/passwd
grep git /etc/shells
grep git /etc/group
cd /home/devo.git
ls -l hooks/update
cat info/allowed-users
''')
add("public_host", None, "Individual Developer (Participant) / Integrator", r'''
git clone git://git.kernel.org/pub/scm/.../torvalds/linux-2.6 my2.6
git ls-remote --heads http://git.kernel.org/.../jgarzik/libata-dev.git
git pull git://git.kernel.org/pub/.../jgarzik/libata-dev.git ALL
git push --follow-tags ko
''')
