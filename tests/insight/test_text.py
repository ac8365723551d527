"""Clean-up and segmentation of citizen messages."""

import threading

from liaison.insight.text import has_meaning, normalise, tokens


def test_it_turns_full_width_characters_into_ordinary_ones():
    assert normalise("ＡＢＣ１２３，路灯") == "ABC123,路灯"


def test_it_removes_scraping_noise_links_and_shouting():
    raw = "\n\t\t\t路灯不亮了_x000D_\r\n已经三天！！！　详见 https://example.com/a?b=1 谢谢。。。"
    assert normalise(raw) == "路灯不亮了 已经三天! 详见 谢谢。"


def test_it_survives_garbage_of_every_type():
    assert normalise(None) == ""
    assert normalise(b"\xff\xfe\x00\x01") == ""
    assert normalise(12345) == "12345"
    assert tokens("\x00\x01\x02") == []


def test_it_keeps_local_governance_terms_whole():
    words = tokens("我们村的路灯不亮了，井盖丢失，自来水停水，请人大代表到联络站听取社情民意")
    for term in ("路灯", "井盖", "自来水", "人大代表", "联络站", "社情民意"):
        assert term in words


def test_it_drops_stopwords_punctuation_and_bare_numbers():
    words = tokens("尊敬的领导您好：我们小区 2019 年的物业费太贵了！！")
    assert "的" not in words and "您好" not in words and "2019" not in words
    assert "物业费" in words
    assert all(w.strip() and w not in "：！，" for w in words)


def test_it_recognises_text_without_chinese_as_meaningless():
    assert not has_meaning(normalise("😀😀😀 hello world 123"))
    assert has_meaning(normalise("路灯"))


def test_it_segments_the_same_way_from_many_threads():
    text = "小区门口的公交站台被拆了，老人出行很不方便"
    expected = tokens(text)
    results = []

    def work():
        results.append(tokens(text))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 8
