S("progit/progit2", "book/02-git-basics/sections/recording-changes.asc", "00ef28423a2b0490d04e3fbbf4567676459f1280")
add("ordinary", None, "Recording Changes to the Repository", r'''
echo 'My Project' > README
git add README
git add CONTRIBUTING.md
vim CONTRIBUTING.md
git status -s
cat .gitignore
git diff
git diff --staged
echo '# test line' >> CONTRIBUTING.md
git diff --cached
git difftool --tool-help
''')
S("progit/progit2", "book/02-git-basics/sections/remotes.asc", "0468aad0be6ab3e1cef72444529af408b310ebcc")
add("public_host", None, "Working with Remotes", r'''
git clone https://github.com/schacon/ticgit
git fetch pb
git remote show origin
''')
add("ordinary", None, "Working with Remotes", r'''
cd ticgit
git remote
cd grit
git remote add pb https://github.com/paulboone/ticgit
git remote rename pb paul
git remote rm paul
''')
S("progit/progit2", "book/02-git-basics/sections/viewing-history.asc", "0042bf201ec55208fd891ca325449b172f63df43")
add("public_host", None, "Viewing the Commit History", r'''
git clone https://github.com/schacon/simplegit-progit
''')
add("ordinary", None, "Viewing the Commit History", r'''
git log -p -2
git log --stat
git log --pretty=oneline
git log --pretty=format:"%h - %an, %ar : %s"
git log --pretty=format:"%h %s" --graph
git log --since=2.weeks
git log -S function_name
git log -- path/to/file
git log --pretty="%h - %s" --author='Junio C Hamano' --since="2008-10-01" \
   --before="2008-11-01" --no-merges -- t/
''')
