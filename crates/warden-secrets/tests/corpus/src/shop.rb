require 'shopify_api'

ShopifyAPI::Context.setup(
  api_key: '31abc59d3d0c1acff6d906675668875c',
  api_secret_key: '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',
  host: 'https://shop.acme.io',
  scope: 'read_products',
  is_embedded: true,
)
SESSION = ShopifyAPI::Auth::Session.new(shop: 'acme.myshopify.com', access_token: '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')
RUBYGEMS = 'rubygems_c6f40f7a126ad69342c97b8a29785c7e95ed64e5dc8c3310'
