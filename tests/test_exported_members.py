import reward_service


def test_all_is_complete_and_sorted():
    public = {
        name
        for name, value in vars(reward_service).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("reward_service")
    }
    assert public | {"__version__"} == set(reward_service.__all__)
    assert reward_service.__all__ == sorted(reward_service.__all__, key=str.lower)
