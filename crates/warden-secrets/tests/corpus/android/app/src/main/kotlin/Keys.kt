package io.acme.app

object Keys {
    const val GCP_API_KEY = "AIzaEdGGsdhpzfvSggLuYnAniAtdosIZI2jWF3B"
    const val STRIPE_TEST_SECRET_KEY = "sk_test_51I5VfzLyEASXehwm8LevaVCkHp31eqla7HVbDCG5BtuOKBRe2p0Tihrv6B9dyI6Ux75pYjTw8XAdc5XpDFmNmq5BGjrhNU3Y7o"
    const val TELEGRAM_BOT_TOKEN = "9188473462:AAF5IR5cWbPdy7HtYQUQpvtPWb1uEqyjvel"
    const val POSTHOG_PERSONAL_API_KEY = "phx_kWoLAyWf1PX0xvlfHLXx3i1ESTpDoLof1hyjEqs8GLp"
    const val FIGMA_PAT = "figd_x1UlB7DK7DdfLvTv23HiH14pzDFOcOZACZyG93h8"
    const val BUILD_SHA = "c539c8fba79d97e96630a1f9458313c938ceafda"
    val token: String get() = BuildConfig.API_TOKEN
}
