import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from domain.market.sentiment import FINANCE_LEXICON, aggregate, label_for, score_text

PLAIN_VADER = SentimentIntensityAnalyzer()


def _plain(text):
    return PLAIN_VADER.polarity_scores(text)["compound"]


@pytest.mark.parametrize(
    "headline",
    [
        "Infosys beats estimates",
        "Analysts upgrade Titan",
        "Brokers turn bullish on ITC",
        "Trent shares surge",
        "TCS announces buyback",
        "Wipro to outperform peers",
    ],
)
def test_good_finance_news_reads_positive(headline):
    score = score_text(headline)

    assert score.label == "positive"
    assert score.compound > _plain(headline)


@pytest.mark.parametrize(
    "headline",
    [
        "Analysts downgrade Wipro",
        "Brokers turn bearish on ITC",
        "Adani shares plunge",
        "Regulator opens probe into accounts",
        "Lender defaults on bonds",
        "Paytm to underperform peers",
    ],
)
def test_bad_finance_news_reads_negative(headline):
    score = score_text(headline)

    assert score.label == "negative"
    assert score.compound < _plain(headline)


def test_vocabulary_has_about_forty_terms_on_vaders_scale():
    assert len(FINANCE_LEXICON) >= 40
    assert all(-4 <= valence <= 4 for valence in FINANCE_LEXICON.values())


def test_extension_leaves_other_vader_instances_alone():
    score_text("warm up the shared analyzer")

    assert "bullish" not in SentimentIntensityAnalyzer().lexicon


def test_labels_use_vaders_thresholds():
    assert label_for(0.05) == "positive"
    assert label_for(-0.05) == "negative"
    assert label_for(0.049) == "neutral"


def test_score_parts_sum_to_one():
    score = score_text("HDFC Bank profit jumps but margins face headwinds")

    assert score.positive + score.negative + score.neutral == pytest.approx(1, abs=0.01)


def test_aggregate_counts_labels_and_averages_compound():
    texts = ["Infosys beats estimates", "Adani shares plunge", "Board meets on Monday", " "]
    summary = aggregate(texts)
    scores = [score_text(t).compound for t in texts[:3]]

    assert summary.n == 3
    assert (summary.positive, summary.negative, summary.neutral) == (1, 1, 1)
    assert summary.mean_compound == pytest.approx(sum(scores) / 3)
    assert summary.label == label_for(summary.mean_compound)


def test_aggregate_of_nothing_has_no_mean():
    summary = aggregate([])

    assert summary.n == 0
    assert summary.mean_compound is None and summary.label is None
