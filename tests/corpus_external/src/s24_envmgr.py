S("nvm-sh/nvm", "README.md", "b546436113084d6de584c57b259b947dd467a900")
add("public_host", None, "Mirrors / .nvmrc / Running tests / Alpine / Problems", r'''
nvm install node
NVM_NODEJS_ORG_MIRROR=https://nodejs.org/dist nvm install 4.2
nvm install iojs-v1.0.3
NVM_IOJS_ORG_MIRROR=https://iojs.org/dist nvm install iojs-v1.0.3
nvm install
npm install
apk add -U curl bash ca-certificates openssl ncurses coreutils python2 make gcc g++ libgcc linux-headers grep util-linux binutils findutils
curl -o- https://raw.githubusercontent.com/creationix/nvm/v0.33.6/install.sh | bash
docker build -t nvm-dev .
nvm install -s 0.8.6
''')
add("ordinary", None, "Mirrors / .nvmrc / Running tests / Docker / Bash completion", r'''
export NVM_NODEJS_ORG_MIRROR=https://nodejs.org/dist
export NVM_IOJS_ORG_MIRROR=https://iojs.org/dist
echo "5.9" > .nvmrc
echo "lts/*" > .nvmrc
nvm use
nvm use default
npm run test/fast
npm run test/slow
npm test
[[ -r $NVM_DIR/bash_completion ]] && . $NVM_DIR/bash_completion
docker images
docker run -it nvm-dev -h nvm-dev
nvm use 6.2.1
''')
S("pyenv/pyenv", "COMMANDS.md", "5e4b2ac26c82047c129a63edb65514095a0f6303")
add("ordinary", None, "Command Reference", r'''
pyenv local 2.7.6
pyenv local --unset
pyenv local 2.7.6 3.3.3
pyenv versions
python --version
python2.7 --version
python3.3 --version
pyenv local 3.3.3 2.7.6
pyenv global 2.7.6
pyenv global 2.7.6 3.3.3
pyenv global 3.3.3 2.7.6
pyenv shell pypy-2.2.1
pyenv shell --unset
export PYENV_VERSION=pypy-2.2.1
pyenv shell 2.7.6 3.3.3
pyenv shell 3.3.3 2.7.6
pyenv install --list
pyenv rehash
pyenv version
pyenv which python3.3
pyenv whence 2to3
pyenv root
pyenv prefix 3.9.7
pyenv shims
eval "$(pyenv init -)"
''')
add("public_host", None, "pyenv install / exec", r'''
pyenv install 2.7.6
pyenv install 2.6.8
pyenv install 3.10
pyenv install 3.8:latest
pyenv install 3:latest
pyenv exec pip install -r requirements.txt
PATH="$PYENV_ROOT/versions/3.9.7/bin:$PATH" pip install -r requirements.txt
''')
