S("facebook/create-react-app", "README.md", "ca56aed3cce12488b135ffc6a76ddf535ad8150c")
add("public_host", None, "tl;dr / Installation / Creating an App / Contributing", r'''
npm install -g create-react-app
create-react-app my-app
npm run create-react-app my-app
''')
add("ordinary", None, "tl;dr / Scripts", r'''
cd my-app/
npm start
npm run build
npm run eject
''')
S("expressjs/express", "Readme.md", "057898bbe8ae0a9d462eda7dc11ba0a04bf3a54f")
add("public_host", None, "Installation / Viewing Examples", r'''
npm install -g express
git clone git://github.com/strongloop/express.git --depth 1
''')
add("ordinary", None, "Quick Start / Viewing Examples", r'''
express /tmp/foo && cd /tmp/foo
node app
cd express
node examples/content-negotiation
''')
S("denoland/deno", "README.md", "b6d01c65fcbc5932526389c278c87f7d6a8aa426")
add("public_host", None, "Install / Getting Started", r'''
curl -fsSL https://deno.land/x/install/install.sh | sh
brew install deno
cargo install deno --locked
deno run https://deno.land/std/examples/welcome.ts
''')
