"""The field format of encrypted personal data, key wrapping, scrypt and the blind index."""

from __future__ import annotations

import pytest

from hallterm.db.privacy import fields as f


def test_field_round_trip_and_format():
    key = f.new_key()
    stored = f.encrypt_field(key, "app-1", "id_number", "110101199003077777")
    assert stored.startswith("enc1:") and "1101011990" not in stored
    assert f.decrypt_field(key, "app-1", "id_number", stored) == "110101199003077777"
    # a fresh nonce each time: equal values do not give equal ciphertexts
    assert f.encrypt_field(key, "app-1", "id_number", "110101199003077777") != stored
    assert f.encrypt_field(key, "app-1", "phone", "") == ""  # nothing to hide
    assert f.decrypt_field(key, "app-1", "phone", "") == ""
    assert f.decrypt_field(
        key, "a", "address", f.encrypt_field(key, "a", "address", "南门街18号")
    ) == ("南门街18号")


def test_aad_binds_the_value_to_its_row_and_field():
    key = f.new_key()
    stored = f.encrypt_field(key, "app-1", "id_number", "110101199003077777")
    with pytest.raises(f.DecryptError):
        f.decrypt_field(key, "app-2", "id_number", stored)  # moved to another row
    with pytest.raises(f.DecryptError):
        f.decrypt_field(key, "app-1", "phone", stored)  # moved to another field
    with pytest.raises(f.DecryptError):
        f.decrypt_field(f.new_key(), "app-1", "id_number", stored)  # another key
    tampered = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(f.DecryptError):
        f.decrypt_field(key, "app-1", "id_number", tampered)


def test_wrapping_and_passphrase():
    kek, key = f.new_key(), f.new_key()
    wrapped = f.wrap(kek, key, "person:1")
    assert f.unwrap(kek, wrapped, "person:1") == key
    with pytest.raises(f.DecryptError):
        f.unwrap(kek, wrapped, "person:2")
    sealed = f.passphrase_wrap("correct horse", key, "data")
    assert sealed.startswith("scrypt1:") and len(sealed) <= 128
    assert f.passphrase_unwrap("correct horse", sealed, "data") == key
    with pytest.raises(f.DecryptError):
        f.passphrase_unwrap("wrong horse", sealed, "data")


def test_blind_index_is_keyed():
    k1, k2 = f.new_key(), f.new_key()
    a = f.blind_index(k1, "resident_id", "110101199003077777")
    assert a == f.blind_index(k1, "resident_id", "110101199003077777")
    assert a != f.blind_index(k2, "resident_id", "110101199003077777")
    assert a != f.blind_index(k1, "passport", "110101199003077777")
    assert len(a) == 64 and "1101" not in a[:4]


def test_the_command_line_names_the_same_passphrase_variable() -> None:
    from hallterm.cli.store_keys import ENV
    from hallterm.db.privacy.keyring import ENV_PASSPHRASE

    assert ENV == ENV_PASSPHRASE
