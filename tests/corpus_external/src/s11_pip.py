S("pypa/pip", "docs/html/cli/pip_install.rst", "001fb464cef5eec463eb6b3599ec24fb5532f499")
add("public_host", None, "Examples", r'''
python -m pip install quux
python -m pip install bar
python -m pip install SomePackage
python -m pip install SomePackage==1.0.4
python -m pip install 'SomePackage>=1.0.4'
python -m pip install -r requirements.txt
python -m pip install --upgrade SomePackage
python -m pip install -e .
python -m pip install -e path/to/project
python -m pip install SomeProject@git+https://git.repo/some_pkg.git@1.3.1
python -m pip install -e git+https://git.repo/some_pkg.git#egg=SomePackage
python -m pip install -e hg+https://hg.repo/some_pkg.git#egg=SomePackage
python -m pip install -e svn+svn://svn.repo/some_pkg/trunk/#egg=SomePackage
python -m pip install -e git+https://git.repo/some_pkg.git@feature#egg=SomePackage
python -m pip install -e "git+https://git.repo/some_repo.git#egg=subdir&subdirectory=subdir_path"
python -m pip install SomePackage[PDF]
python -m pip install "SomePackage[PDF] @ git+https://git.repo/SomePackage@master#subdirectory=subdir_path"
python -m pip install .[PDF]
python -m pip install SomePackage[PDF]==3.0
python -m pip install SomePackage[PDF,EPUB]
python -m pip install http://my.package.repo/SomePackage-1.0.4.zip
python -m pip install SomeProject@http://my.package.repo/SomeProject-1.2.3-py33-none-any.whl
python -m pip install "SomeProject @ http://my.package.repo/SomeProject-1.2.3-py33-none-any.whl"
python -m pip install SomeProject@http://my.package.repo/1.2.3.tar.gz
python -m pip install --index-url http://my.package.repo/simple/ SomePackage
python -m pip install --extra-index-url http://my.package.repo/simple SomePackage
python -m pip install --pre SomePackage
python -m pip install SomePackage1 SomePackage2 --no-binary :all:
python -m pip install SomePackage1 SomePackage2 --no-binary SomePackage1
pip install -r example-requirements.txt
''')
add("ordinary", None, "Examples (no index)", r'''
python -m pip install --no-index --find-links=file:///local/dir/ SomePackage
python -m pip install --no-index --find-links=/local/dir/ SomePackage
python -m pip install --no-index --find-links=relative/dir/ SomePackage
''')
