//! ID-token refusals the real provider cannot be made to commit (it always
//! signs with its own issuer, our audience and a future `exp`): tokens built
//! here, signed with the provider's own key (which it wrote for the test)
//! or with a key it does not publish, checked against the JWKS fetched from
//! the real provider by the server's own client.

use crate::harness::oidc::{Flavour, OidcProvider, CLIENT_ID};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use living_gate_api::auth::oidc::client::OidcClient;
use living_gate_api::auth::oidc::id_token::{verify, Expected, IdTokenRefusal};
use serde_json::{json, Value};

fn sign(provider: &OidcProvider, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(provider.key_pem.as_bytes()).expect("the provider's key");
    jsonwebtoken::encode(&header, claims, &key).expect("a token")
}

fn claims(provider: &OidcProvider) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": provider.issuer, "aud": CLIENT_ID, "sub": "alice", "nonce": "n-1", "iat": now, "exp": now + 300})
}

#[tokio::test]
async fn tokens_of_another_issuer_audience_nonce_expired_or_key_are_refused() {
    let provider = OidcProvider::start(Flavour::City, json!({}));
    let stranger = OidcProvider::start(Flavour::City, json!({}));
    let client = OidcClient::new();
    let metadata = client.discover(&provider.issuer).await.expect("discovery");
    let keys = client.keys(&metadata, false).await.expect("jwks");
    let expected = Expected {
        issuer: &provider.issuer,
        client_id: CLIENT_ID,
        nonce: "n-1",
    };
    let check = |token: &str| verify(&keys, &expected, token).map(|_| ());

    assert_eq!(
        check(&sign(&provider, &provider.kid, &claims(&provider))),
        Ok(()),
        "the baseline verifies"
    );
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = claims(&provider);
        change(&mut c);
        sign(&provider, &provider.kid, &c)
    };
    assert_eq!(
        check(&with(&|c| c["iss"] = json!(stranger.issuer))),
        Err(IdTokenRefusal::Issuer)
    );
    assert_eq!(
        check(&with(&|c| c["aud"] = json!("another-client"))),
        Err(IdTokenRefusal::Audience)
    );
    assert_eq!(
        check(&with(&|c| c["aud"] = json!([CLIENT_ID, "another-client"]))),
        Err(IdTokenRefusal::Audience),
        "several audiences without azp"
    );
    assert_eq!(
        check(&with(&|c| c["nonce"] = json!("n-2"))),
        Err(IdTokenRefusal::Nonce)
    );
    assert_eq!(
        check(&with(&|c| {
            c.as_object_mut().expect("object").remove("nonce");
        })),
        Err(IdTokenRefusal::Nonce)
    );
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        check(&with(&|c| {
            c["iat"] = json!(now - 7200);
            c["exp"] = json!(now - 3600);
        })),
        Err(IdTokenRefusal::Expired)
    );
    // Signed with a key the provider does not publish: under its kid, and
    // under the stranger's own kid.
    assert_eq!(
        check(&sign(&stranger, &provider.kid, &claims(&provider))),
        Err(IdTokenRefusal::Signature)
    );
    assert_eq!(
        check(&sign(&stranger, &stranger.kid, &claims(&provider))),
        Err(IdTokenRefusal::UnknownKey)
    );
    // No signature at all, and HMAC.
    let token = sign(&provider, &provider.kid, &claims(&provider));
    let mut parts = token.split('.');
    let (_, payload) = (parts.next(), parts.next().expect("payload"));
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    // `none` is no algorithm the verifier knows: the header does not parse.
    assert_eq!(check(&none), Err(IdTokenRefusal::Malformed));
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(provider.kid.clone());
    let hmac = jsonwebtoken::encode(
        &header,
        &claims(&provider),
        &EncodingKey::from_secret(b"public"),
    )
    .expect("hmac");
    assert_eq!(check(&hmac), Err(IdTokenRefusal::Algorithm));
}
