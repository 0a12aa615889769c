from mupass_forum.cli import main

main()
