"""Language tags and the script-based guess (aggregator.normalize.language)."""

from __future__ import annotations

import pytest

from aggregator.normalize.language import detect_language, normalize_language


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-cn", "zh-CN"),  # RSS 2.0 <language> as most Chinese portals write it
        ("zh-CN", "zh-CN"),
        ("zh_CN", "zh-CN"),
        ("en-us", "en-US"),
        ("EN", "en"),
        (" en ", "en"),
        ("zh-hans", "zh-Hans"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("ja", "ja"),
        ("English", "en"),
        ("中文", "zh"),
        ("简体中文", "zh-Hans"),
        # not a tag
        ("und", None),
        ("x", None),
        ("english language", None),
        ("zh-cn,en;q=0.8", None),
        ("12", None),
        ("zh--cn", None),
        ("en-" + "a" * 40, None),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_normalize_language(code: str | None, expected: str | None) -> None:
    assert normalize_language(code) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("元气森林唐彬森：人类世界只会奖励那些对用户好的公司", "zh"),  # wechat-feeds
        (
            "华为今年无 Mate 新机，8 年首次「断更」；Waymo 融 25 亿美元，推进自动驾驶；一加 OPPO 全面融合",
            "zh",
        ),
        ("华为正式发布 HarmonyOS 4.0", "zh"),
        ("東京で新しいスマートフォンが発表されました", "ja"),
        ("삼성전자가 새로운 스마트폰을 발표했다", "ko"),
        ("Apple on Monday announced the Vision Pro, a mixed reality headset.", "en"),
        ("The Chinese word 人工智能 means artificial intelligence", "en"),
        # Latin script: the function words say which language (portals that declare none, real-world corpus)
        (
            "La Policía de la Ciudad rescató hoy un total de 24 perros de diferentes razas que se "
            "encontraban en malas condiciones de salud en un criadero ilegal",
            "es",
        ),
        (
            "Le rapport des agences de renseignement affirme que le président russe a influencé la campagne.",
            "fr",
        ),
        (
            "Ab April soll es wieder Förderung für den Ausbau von Glasfaser geben. Das Ministerium will es",
            "de",
        ),
        ("O candidato do PSL a presidente, Jair Bolsonaro, não tem o mesmo desempenho nas simulações", "pt"),
        (
            "Il governo ha approvato il decreto che prevede nuove regole per le imprese e per i lavoratori",
            "it",
        ),
        ("Het kabinet heeft dinsdag besloten dat de belasting voor bedrijven niet wordt verhoogd", "nl"),
        ("Regeringen har beslutat att det ska bli lättare för företag att anställa", "sv"),
        # a few foreign words in English do not make it foreign; without any function word it stays English
        ("Le Monde reports that the French government is planning a new tax on tech companies", "en"),
        ("Die Hard returns: the film was shown at the festival with a new ending", "en"),
        ("Kubernetes Helm Terraform Ansible Prometheus Grafana", "en"),
        # too little to say
        ("华为", None),
        ("OK go", None),
        ("2024-03-05 10:30", None),
        ("", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected
