S("undefeated-davout/ctf-tools", "mirrors/spawning_tty_shell.md", "7f910b22a446260ef2cb274893fc5172713255e5")
add("escape", None, "Spawning a TTY Shell", r'''
python -c 'import pty; pty.spawn("/bin/sh")'
perl -e 'exec "/bin/sh";'
/usr/bin/script -qc /bin/bash /dev/null
''')
S("BethVogel/Red-Hat-Repository", "Bash&Shells/Beautifyshell.md", "5d66217a5bec07baecc595aa32635f43d3d16573")
add("escape", None, "Spawning TTY Shell", r'''
python -c 'import pty;pty.spawn("/bin/bash")'
''')
add("ordinary", None, "Spawning TTY Shell", r'''
export TERM=xterm
stty raw -echo; fg
''')
