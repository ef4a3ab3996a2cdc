<?php
return [
    'app' => ['name' => 'Shop', 'env' => 'production'],
    'db' => [
        'host' => 'mysql.internal',
        'username' => 'shop',
        'password' => 'b*RqfZd#LkeME8#^mi',
    ],
    'services' => [
        'stripe_key' => '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',
        'mailgun_key' => 'key-b46055f747e045e1458c0409947ce4fc',
        'sendgrid_key' => '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',
        'github_key' => 'gho_Rfe0JyLVwpwlK2gUq9YOHzLCsnCxR0UwCC2y',
        'slack_key' => 'xoxp-086809759594-517840683338-6867417553688-d01a35cec613af23ea96613d27ed64ea',
        'recaptcha_site_key' => '6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16',
    ],
];
