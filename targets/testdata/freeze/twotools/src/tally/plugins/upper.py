def apply(words):
    return [w.upper() for w in words]
