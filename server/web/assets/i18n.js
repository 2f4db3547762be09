// Every string of the web panel's own, in English and Spanish. Both tables
// have the same keys (the browser test checks it). "{name}"-style
// placeholders are filled in by t(). The "error.*" strings are the panel's
// own (a field left empty, a server it cannot reach); what the server
// refuses is explained in the server's words, from its one table of error
// messages (GET /v1/messages), which app.js reads.

export const languages = ['en', 'es'];

export const strings = {
  en: {
    'app.title': 'keyledger',
    'app.tagline': 'API credentials ledger',
    'language.label': 'Language',
    'language.en': 'English',
    'language.es': 'Español',
    'skip.main': 'Skip to main content',

    'signin.title': 'Sign in',
    'signin.intro': 'Sign in to manage your API keys.',
    'signin.user': 'User',
    'signin.password': 'Password',
    'signin.submit': 'Sign in',
    'signin.busy': 'Signing in…',
    'signin.expired': 'Your session has ended. Please sign in again.',
    'password.title': 'Choose a new password',
    'password.intro': 'The password you signed in with works only once. Choose your own to go on.',
    'password.current': 'Current password',
    'password.new': 'New password',
    'password.hint': 'At least 8 characters.',
    'password.repeat': 'New password, again',
    'password.submit': 'Save and go on',
    'password.missing_current': 'Enter the password you signed in with.',
    'password.missing_new': 'Enter a new password.',
    'password.mismatch': 'The two new passwords differ.',
    'password.done': 'Your new password is saved.',
    'own_password.title': 'Your password',
    'own_password.intro': 'Changing it signs you out everywhere else.',
    'own_password.submit': 'Change password',

    'nav.signout': 'Sign out',
    'nav.signed_in_as': 'Signed in as {user}',

    'privilege.user': 'User',
    'privilege.auditor': 'Auditor',
    'privilege.admin': 'Administrator',

    'settings.title': 'User Settings',

    'credentials.title': 'API Credentials',
    'credentials.intro':
      'API keys let your applications call the keyledger API. A key carries your privileges; use one key per application.',
    'credentials.docs_label': 'API documentation',
    'credentials.docs_link': 'Read the API documentation',
    'credentials.new_tab': '(opens in a new tab)',
    'credentials.endpoint_label': 'API endpoint',
    'credentials.keys_title': 'Your API keys',
    'credentials.refresh': 'Refresh',
    'credentials.loading': 'Loading…',
    'credentials.empty': 'You have no API keys yet.',
    'credentials.count': '{count} keys',
    'credentials.count_one': '1 key',

    'keys.name': 'Name',
    'keys.last_ip': 'Last used from',
    'keys.last_used': 'Last used',
    'keys.created': 'Created',
    'keys.actions': 'Actions',
    'keys.never_used': 'never used',
    'keys.no_ip': '—',
    'keys.rename': 'Rename key “{name}”',
    'keys.delete': 'Delete key “{name}”',
    'keys.new_name': 'New name for key “{name}”',
    'keys.rename_hint': 'Enter saves, Escape cancels.',
    'keys.save': 'Save name',
    'keys.cancel': 'Cancel renaming',
    'keys.renamed': 'Key renamed to “{name}”.',
    'keys.deleted': 'Key “{name}” deleted.',

    'generate.title': 'Generate a new API key',
    'generate.name': 'Key name',
    'generate.hint': 'For example the application that will use it: “billing service”.',
    'generate.submit': 'Generate key',
    'generate.busy': 'Generating…',
    'generate.done_title': 'Your new API key “{name}”',
    'generate.token_label': 'API key',
    'generate.warning':
      'Copy this key now and keep it somewhere safe. It will not be shown again: keyledger stores only a hash of it.',
    'generate.dismiss': 'I have copied it',

    'copy.copy': 'Copy',
    'copy.endpoint': 'Copy the API endpoint',
    'copy.token': 'Copy the API key',
    'copy.copied': 'Copied to the clipboard.',
    'copy.failed': 'Could not copy. Select the text and copy it by hand.',

    'delete.title': 'Delete this API key?',
    'delete.body':
      'The key “{name}” stops working at once: applications that use it will get “invalid credentials”. This cannot be undone.',
    'delete.confirm': 'Delete',
    'delete.cancel': 'Cancel',

    'users.title': 'Users',
    'users.intro': 'Add people, change what they may do, or disable them. A disabled user’s keys stop working.',
    'users.user': 'User',
    'users.privilege': 'Privilege',
    'users.status': 'Status',
    'users.created': 'Created',
    'users.actions': 'Actions',
    'users.active': 'Active',
    'users.disabled': 'Disabled',
    'users.locked': 'Locked',
    'users.you': '(you)',
    'users.privilege_of': 'Privilege of {user}',
    'users.disable': 'Disable',
    'users.enable': 'Enable',
    'users.unlock': 'Unlock',
    'users.disable_label': 'Disable {user}',
    'users.enable_label': 'Enable {user}',
    'users.unlock_label': 'Unlock {user}',
    'users.add_title': 'Add a user',
    'users.new_user': 'User name',
    'users.new_user_hint': 'a-z, 0-9, “.”, “_” or “-”.',
    'users.new_password': 'Initial password',
    'users.new_password_hint': 'At least 8 characters.',
    'users.new_privilege': 'Privilege',
    'users.add': 'Add user',
    'users.added': 'User “{user}” added.',
    'users.updated': 'User “{user}” updated.',
    'users.reset': 'Set password',
    'users.reset_label': 'Set password for {user}',
    'users.reset_done': 'User “{user}” has a new one-time password.',
    'reset.title': 'A new password for {user}',
    'reset.body': 'It works once: {user} chooses their own at the next sign-in. They are signed out everywhere now; their API keys keep working.',
    'reset.password': 'One-time password',
    'reset.confirm': 'Set password',

    'error.generic': 'Something went wrong. Please try again.',
    'error.network': 'The server cannot be reached. Check your connection and try again.',
    'error.missing_name': 'Enter a name.',
    'error.missing_user': 'Enter your user name.',
    'error.missing_password': 'Enter your password.',
  },

  es: {
    'app.title': 'keyledger',
    'app.tagline': 'Registro de credenciales de API',
    'language.label': 'Idioma',
    'language.en': 'English',
    'language.es': 'Español',
    'skip.main': 'Saltar al contenido principal',

    'signin.title': 'Iniciar sesión',
    'signin.intro': 'Inicie sesión para gestionar sus claves de API.',
    'signin.user': 'Usuario',
    'signin.password': 'Contraseña',
    'signin.submit': 'Iniciar sesión',
    'signin.busy': 'Iniciando sesión…',
    'signin.expired': 'Su sesión ha terminado. Vuelva a iniciar sesión.',
    'password.title': 'Elija una contraseña nueva',
    'password.intro': 'La contraseña con la que ha iniciado sesión solo sirve una vez. Elija la suya para continuar.',
    'password.current': 'Contraseña actual',
    'password.new': 'Contraseña nueva',
    'password.hint': 'Al menos 8 caracteres.',
    'password.repeat': 'Contraseña nueva, otra vez',
    'password.submit': 'Guardar y continuar',
    'password.missing_current': 'Escriba la contraseña con la que ha iniciado sesión.',
    'password.missing_new': 'Escriba una contraseña nueva.',
    'password.mismatch': 'Las dos contraseñas nuevas no coinciden.',
    'password.done': 'Su contraseña nueva está guardada.',
    'own_password.title': 'Su contraseña',
    'own_password.intro': 'Al cambiarla se cierran sus demás sesiones.',
    'own_password.submit': 'Cambiar la contraseña',

    'nav.signout': 'Cerrar sesión',
    'nav.signed_in_as': 'Sesión iniciada como {user}',

    'privilege.user': 'Usuario',
    'privilege.auditor': 'Auditor',
    'privilege.admin': 'Administrador',

    'settings.title': 'Configuración de usuario',

    'credentials.title': 'Credenciales de API',
    'credentials.intro':
      'Las claves de API permiten que sus aplicaciones llamen a la API de keyledger. Una clave tiene sus mismos privilegios; use una clave por aplicación.',
    'credentials.docs_label': 'Documentación de la API',
    'credentials.docs_link': 'Leer la documentación de la API',
    'credentials.new_tab': '(se abre en una pestaña nueva)',
    'credentials.endpoint_label': 'Punto de acceso de la API',
    'credentials.keys_title': 'Sus claves de API',
    'credentials.refresh': 'Actualizar',
    'credentials.loading': 'Cargando…',
    'credentials.empty': 'Todavía no tiene claves de API.',
    'credentials.count': '{count} claves',
    'credentials.count_one': '1 clave',

    'keys.name': 'Nombre',
    'keys.last_ip': 'Último uso desde',
    'keys.last_used': 'Último uso',
    'keys.created': 'Creada',
    'keys.actions': 'Acciones',
    'keys.never_used': 'nunca usada',
    'keys.no_ip': '—',
    'keys.rename': 'Cambiar el nombre de la clave «{name}»',
    'keys.delete': 'Eliminar la clave «{name}»',
    'keys.new_name': 'Nuevo nombre de la clave «{name}»',
    'keys.rename_hint': 'Intro guarda, Escape cancela.',
    'keys.save': 'Guardar el nombre',
    'keys.cancel': 'Cancelar el cambio de nombre',
    'keys.renamed': 'Clave renombrada a «{name}».',
    'keys.deleted': 'Clave «{name}» eliminada.',

    'generate.title': 'Generar una clave de API nueva',
    'generate.name': 'Nombre de la clave',
    'generate.hint': 'Por ejemplo, la aplicación que la usará: «servicio de facturación».',
    'generate.submit': 'Generar clave',
    'generate.busy': 'Generando…',
    'generate.done_title': 'Su nueva clave de API «{name}»',
    'generate.token_label': 'Clave de API',
    'generate.warning':
      'Copie esta clave ahora y guárdela en un lugar seguro. No se volverá a mostrar: keyledger solo almacena un hash de ella.',
    'generate.dismiss': 'Ya la he copiado',

    'copy.copy': 'Copiar',
    'copy.endpoint': 'Copiar el punto de acceso de la API',
    'copy.token': 'Copiar la clave de API',
    'copy.copied': 'Copiado al portapapeles.',
    'copy.failed': 'No se pudo copiar. Seleccione el texto y cópielo a mano.',

    'delete.title': '¿Eliminar esta clave de API?',
    'delete.body':
      'La clave «{name}» deja de funcionar de inmediato: las aplicaciones que la usen recibirán «credenciales no válidas». No se puede deshacer.',
    'delete.confirm': 'Eliminar',
    'delete.cancel': 'Cancelar',

    'users.title': 'Usuarios',
    'users.intro':
      'Añada personas, cambie lo que pueden hacer o deshabilítelas. Las claves de un usuario deshabilitado dejan de funcionar.',
    'users.user': 'Usuario',
    'users.privilege': 'Privilegio',
    'users.status': 'Estado',
    'users.created': 'Creado',
    'users.actions': 'Acciones',
    'users.active': 'Activo',
    'users.disabled': 'Deshabilitado',
    'users.locked': 'Bloqueado',
    'users.you': '(usted)',
    'users.privilege_of': 'Privilegio de {user}',
    'users.disable': 'Deshabilitar',
    'users.enable': 'Habilitar',
    'users.unlock': 'Desbloquear',
    'users.disable_label': 'Deshabilitar a {user}',
    'users.enable_label': 'Habilitar a {user}',
    'users.unlock_label': 'Desbloquear a {user}',
    'users.add_title': 'Añadir un usuario',
    'users.new_user': 'Nombre de usuario',
    'users.new_user_hint': 'a-z, 0-9, «.», «_» o «-».',
    'users.new_password': 'Contraseña inicial',
    'users.new_password_hint': 'Al menos 8 caracteres.',
    'users.new_privilege': 'Privilegio',
    'users.add': 'Añadir usuario',
    'users.added': 'Usuario «{user}» añadido.',
    'users.updated': 'Usuario «{user}» actualizado.',
    'users.reset': 'Asignar contraseña',
    'users.reset_label': 'Asignar contraseña a {user}',
    'users.reset_done': 'El usuario «{user}» tiene una contraseña nueva de un solo uso.',
    'reset.title': 'Una contraseña nueva para {user}',
    'reset.body': 'Sirve una sola vez: {user} elegirá la suya en su próximo inicio de sesión. Se cierran ya todas sus sesiones; sus claves de API siguen funcionando.',
    'reset.password': 'Contraseña de un solo uso',
    'reset.confirm': 'Asignar contraseña',

    'error.generic': 'Algo salió mal. Vuelva a intentarlo.',
    'error.network': 'No se puede contactar con el servidor. Compruebe su conexión y vuelva a intentarlo.',
    'error.missing_name': 'Escriba un nombre.',
    'error.missing_user': 'Escriba su nombre de usuario.',
    'error.missing_password': 'Escriba su contraseña.',
  },
};

// The language to start with: the one remembered from the page's switch,
// else the first of the browser's languages we have, else English.
export function initialLanguage(stored, browserLanguages) {
  if (languages.includes(stored)) return stored;
  for (const tag of browserLanguages || []) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (languages.includes(primary)) return primary;
  }
  return 'en';
}

// The string `key` in `language`, with {placeholders} filled from `values`.
export function translate(language, key, values = {}) {
  const table = strings[language] || strings.en;
  const text = table[key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
