from reward_service.cli import main

if __name__ == "__main__":
    main()
