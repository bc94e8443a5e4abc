from kubealign.cli.app import main

main()
