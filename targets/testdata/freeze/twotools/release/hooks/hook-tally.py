# The plugins are imported by name, which PyInstaller's analysis cannot see.
hiddenimports = ["tally.plugins.upper"]
