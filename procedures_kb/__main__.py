from procedures_kb.cli import main

raise SystemExit(main())
