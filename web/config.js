// Where the search API is. Empty: the same origin (the local stack serves this page beside the API).
// Deployed as static files elsewhere: set the API's URL (the stack output ApiUrl, without the trailing slash),
// and deploy the stack with CorsAllowOrigin set to this page's origin and AuthMode=NONE.
window.DOCSEARCH_API = "";
