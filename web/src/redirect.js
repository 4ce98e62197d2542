// The redirect URI's page: MSAL's redirect bridge passes Entra ID's answer back to the app (redirect, silent frame).
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

broadcastResponseToMainFrame().catch(() => {
  document.getElementById('status').textContent = '登录未完成，请返回首页重新登录。';
});
