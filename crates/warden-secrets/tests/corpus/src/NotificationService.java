package io.acme.notify;

public class NotificationService {
    private static final String TWILIO_ACCOUNT_SID = "ACd9c8d1512aec04d053d6b3ef2cc2151a";
    private static final String TWILIO_AUTH_TOKEN = "03bfcfb04d7a508c3a7250dc86fc5204";
    private static final String TWILIO_API_KEY = "SK6af22ea2e4401e87313899ebf7ba6777";
    private static final String SENDGRID = "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";
    private final String password = System.getenv("SMTP_PASSWORD");
    private static final String MAILGUN = "key-e22490b5c6dbf8d64839422b107ecc74";
}
