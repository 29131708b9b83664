"""Personal data at rest: field encryption, the station's keys, the blind index, erasure.

``fields`` holds the pure cryptography (AES-256-GCM fields, key wrapping, scrypt, the
blind index); ``keyring`` the keys of one open store, unlocked once per process with the
station passphrase; ``erasure`` the right to erasure (PIPL art. 47).
"""
