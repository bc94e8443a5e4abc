from kubealign.cli.entry import main

main()
