'use strict';
const express = require('express');
const Stripe = require('stripe');

const stripe = Stripe('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');
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET;
const firebaseConfig = {
  apiKey: "AIzaDwgTi8-RCttPJTm-5BWR_ytyZ_xvu_VQUwE",
  authDomain: "acme-shop.firebaseapp.com",
  projectId: "acme-shop",
  appId: "1:123456789012:web:abcdef0123456789"
};
const JWT_SECRET = 'Wl30lRdfsXHXNWPu8MEaTSNrcdc6aP63jZeimH3U';
const token = req.headers.authorization?.split(' ')[1];
const apiKey = config.get('apiKey');
const slackHook = 'https://hooks.slack.com/services/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';
const discordHook = "https://discord.com/api/webhooks/0053012056467546360/FXA5dtkNgkSt5mCeCCDNIISRWpj4g22HRM64zu4B0JVkAlfTUtijqBYQCBnYA0WPdvNd";
const etag = 'W/"5e-1B2M2Y8AsgTpgAmY7PhCfg"';
const integrity = 'sha384-VZ6NAU2LWH7OOm/9hix2OOzPn97i3fXGVrFjqBkfQ/OEpA0Qxtu9RZov3pdGnvl2';
app.listen(process.env.PORT || 3000);
