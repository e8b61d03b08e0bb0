from generator.cli import main

if __name__ == "__main__":  # a spawned build worker imports this module too
    main()
