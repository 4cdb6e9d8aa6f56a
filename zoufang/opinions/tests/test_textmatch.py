"""Similar-opinion scoring and category suggestion."""

from __future__ import annotations

from zoufang.opinions.textmatch import NaiveBayes, bigrams, dice, keyword_match, trainable


def test_similar_texts_score_high_and_unrelated_low() -> None:
    a = bigrams("小区门口晚上路灯太暗，希望加强夜间巡逻。")
    b = bigrams("希望加强夜间巡逻，小区门口路灯太暗了")
    c = bigrams("办理护照需要预约吗")
    assert dice(a, b) > 0.6
    assert dice(a, c) < 0.1


def test_keywords_pick_the_category_with_most_hits() -> None:
    keywords = {1: ["户口", "身份证"], 2: ["驾驶证", "车管"], 3: ["停车", "交通"]}
    assert keyword_match("补办身份证要带户口本吗", keywords) == 1
    assert keyword_match("驾驶证到期换证，车管所太远", keywords) == 2
    assert keyword_match("谢谢民警", keywords) is None


def test_naive_bayes_learns_from_confirmed_categories() -> None:
    samples = [(f"小区停车难，车辆乱停{i}", 1) for i in range(30)] + [
        (f"户籍窗口办理落户手续{i}", 2) for i in range(30)
    ]
    assert trainable(samples)
    model = NaiveBayes.train(samples)
    label, probability = model.predict("楼下乱停车堵路")
    assert label == 1 and probability > 0.9
    assert model.predict("想咨询落户")[0] == 2


def test_too_few_samples_are_not_trusted() -> None:
    assert not trainable([("停车", 1)] * 60)
    assert not trainable([("停车", 1)] * 20 + [("落户", 2)] * 20)
