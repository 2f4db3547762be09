#include "server/http/i18n.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

#include "core/text.h"

namespace keyledger::server {
namespace {

// Short, so that the rows below fit their lines.
using Message = ErrorMessage;

constexpr std::array kMessages = {
    Message{"invalid_credentials", "The credentials are invalid.",
            "Las credenciales no son válidas."},
    Message{"malformed_token", "The credentials are invalid.", "Las credenciales no son válidas."},
    Message{"ambiguous_credentials",
            "The request presents more than one API key; send exactly one, in MC-Api-Key or as "
            "Authorization: Bearer.",
            "La solicitud presenta más de una clave de API; envíe solo una, en MC-Api-Key o como "
            "Authorization: Bearer."},
    Message{"unauthenticated", "Sign in or present an API key.",
            "Inicie sesión o presente una clave de API."},
    Message{"forbidden", "You do not have the privilege for this.",
            "No tiene el privilegio necesario para esto."},
    Message{"password_change_required", "Your password is one-time: choose a new password first.",
            "Su contraseña es de un solo uso: elija primero una contraseña nueva."},
    Message{"password_reused", "Choose a password other than the one-time password.",
            "Elija una contraseña distinta de la contraseña de un solo uso."},
    Message{"csrf_token_invalid", "The request lacks a valid X-CSRF-Token header.",
            "A la solicitud le falta una cabecera X-CSRF-Token válida."},
    Message{"not_found", "Nothing is here.", "Aquí no hay nada."},
    Message{"method_not_allowed", "This method is not allowed here.",
            "Este método no está permitido aquí."},
    Message{"key_not_found", "No such key.", "No existe esa clave."},
    Message{"user_not_found", "No such user.", "No existe ese usuario."},
    Message{"user_exists", "That user exists already.", "Ese usuario ya existe."},
    Message{"key_exists", "A key with this id exists already.",
            "Ya existe una clave con este identificador."},
    Message{"unchanged", "Nothing to change.", "No hay nada que cambiar."},
    Message{"user_disabled", "The user is disabled.", "El usuario está deshabilitado."},
    Message{"user_locked",
            "Too many failed sign-ins: this user is locked for a while. Try again later, or ask "
            "an administrator to unlock it.",
            "Demasiados inicios de sesión fallidos: este usuario está bloqueado durante un "
            "tiempo. Inténtelo más tarde o pida a un administrador que lo desbloquee."},
    Message{"invalid_sign_in", "Wrong user or password.", "Usuario o contraseña incorrectos."},
    Message{"wrong_password", "The current password is wrong.",
            "La contraseña actual es incorrecta."},
    Message{"name_empty", "The name is empty.", "El nombre está vacío."},
    Message{"name_too_long", "The name is longer than 100 characters.",
            "El nombre tiene más de 100 caracteres."},
    Message{"name_control_characters", "The name holds control characters.",
            "El nombre contiene caracteres de control."},
    Message{"name_invisible_characters",
            "The name holds invisible direction or separator characters.",
            "El nombre contiene caracteres invisibles de dirección o separación."},
    Message{"invalid_utf8", "The text is not valid UTF-8.", "El texto no es UTF-8 válido."},
    Message{"invalid_user_id",
            "A user id has 1 to 64 characters: a-z, 0-9, '.', '_' or '-', starting with a letter "
            "or digit.",
            "Un identificador de usuario tiene de 1 a 64 caracteres: a-z, 0-9, '.', '_' o '-', y "
            "empieza por letra o dígito."},
    Message{"reserved_user_id", "That user id is reserved.",
            "Ese identificador de usuario está reservado."},
    Message{"password_too_short", "The password must have at least 8 characters.",
            "La contraseña debe tener al menos 8 caracteres."},
    Message{"password_too_long", "The password must have at most 256 bytes.",
            "La contraseña debe tener como máximo 256 bytes."},
    Message{"control_characters", "The text holds control characters.",
            "El texto contiene caracteres de control."},
    Message{"invalid_privilege", "The privilege must be user, auditor or admin.",
            "El privilegio debe ser user, auditor o admin."},
    Message{"invalid_json", "The body is not valid JSON.", "El cuerpo no es JSON válido."},
    Message{"json_too_deep", "The JSON nests too deeply.", "El JSON está anidado demasiado."},
    Message{"not_an_object", "The body must be a JSON object.",
            "El cuerpo debe ser un objeto JSON."},
    Message{"unknown_field", "The body has a field this call does not take.",
            "El cuerpo tiene un campo que esta llamada no admite."},
    Message{"missing_field", "A required field is missing.", "Falta un campo obligatorio."},
    Message{"invalid_type", "A field has the wrong type.", "Un campo tiene el tipo equivocado."},
    Message{"invalid_parameter", "A query parameter is invalid.",
            "Un parámetro de consulta no es válido."},
    Message{"body_too_large", "The request body is too large.",
            "El cuerpo de la solicitud es demasiado grande."},
    Message{"headers_too_large", "The request headers are too large.",
            "Las cabeceras de la solicitud son demasiado grandes."},
    Message{"bad_request", "The request is malformed.", "La solicitud está mal formada."},
    Message{"unsupported_transfer_coding", "Only the chunked transfer coding is accepted.",
            "Solo se admite la codificación de transferencia chunked."},
    Message{"unsupported_media_type", "Send the body as application/json.",
            "Envíe el cuerpo como application/json."},
    Message{"rate_limited", "Too many failed attempts; retry later.",
            "Demasiados intentos fallidos; vuelva a intentarlo más tarde."},
    Message{
        "storage_unavailable",
        "The ledger cannot write right now; nothing was changed. Retry later.",
        "El registro no puede escribir ahora; no se cambió nada. Vuelva a intentarlo más tarde."},
    Message{"replication_unavailable",
            "The ledger cannot replicate its changes right now, so it takes none; nothing was "
            "changed. Retry later.",
            "El registro no puede replicar sus cambios ahora, así que no acepta ninguno; no se "
            "cambió nada. Vuelva a intentarlo más tarde."},
    Message{"server_busy", "The server is busy; retry in a moment.",
            "El servidor está ocupado; vuelva a intentarlo en un momento."},
    Message{"shutting_down", "The server is shutting down; retry later.",
            "El servidor se está apagando; vuelva a intentarlo más tarde."},
    Message{"seq_not_reached",
            "This node has not yet applied the ledger up to KeyLedger-Min-Seq; ask another node "
            "or retry.",
            "Este nodo aún no ha aplicado el registro hasta KeyLedger-Min-Seq; pregunte a otro "
            "nodo o vuelva a intentarlo."},
    Message{"invalid_min_seq",
            "KeyLedger-Min-Seq must be one whole number from 0 to 18446744073709551615.",
            "KeyLedger-Min-Seq debe ser un único número entero de 0 a 18446744073709551615."},
    Message{"internal", "An internal error occurred.", "Se produjo un error interno."},
    Message{"not_leader",
            "This node is a follower and takes no changes; send them to the leader (its URL is in "
            "the error's context).",
            "Este nodo es un seguidor y no acepta cambios; envíelos al líder (su URL está en el "
            "contexto del error)."},
    Message{"stale_replica",
            "This node cannot confirm that its copy of the ledger is current; ask another node or "
            "retry later.",
            "Este nodo no puede confirmar que su copia del registro esté al día; pregunte a otro "
            "nodo o vuelva a intentarlo más tarde."},
    // Values the server itself puts in a command, so refused only on a bug;
    // translated all the same, as every reason decide() gives.
    Message{"invalid_key_id", "A key id is 12 base62 characters.",
            "Un identificador de clave tiene 12 caracteres base62."},
    Message{"invalid_ip", "The client's address is not an IP address.",
            "La dirección del cliente no es una dirección IP."},
    Message{"invalid_lockout", "The lock's length is invalid.",
            "La duración del bloqueo no es válida."},
    Message{"invalid_password_hash", "The password hash is invalid.",
            "El hash de la contraseña no es válido."},
    Message{"invalid_reason", "The reason must be short, printable text.",
            "El motivo debe ser un texto breve e imprimible."},
    Message{"cannot_change_self", "Administrators cannot disable, lock or demote themselves.",
            "Los administradores no pueden deshabilitarse, bloquearse ni degradarse a sí mismos."},
};

// Quality of a language range; 1.0 when absent, 0 on nonsense.
double parse_quality(std::string_view parameters) {
  auto q = parameters.find("q=");
  if (q == std::string_view::npos) return 1.0;
  std::string_view value = parameters.substr(q + 2);
  double quality = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), quality);
  (void)end;
  return error == std::errc() ? quality : 0.0;
}

}  // namespace

Language negotiate_language(std::string_view header) {
  double best_quality = 0;
  Language best = Language::kEnglish;
  for (std::string_view item : split(header, ",")) {
    const auto semicolon = item.find(';');
    const std::string_view range = trim(item.substr(0, semicolon), " ");
    double quality =
        semicolon == std::string_view::npos ? 1.0 : parse_quality(item.substr(semicolon));
    std::string primary;
    for (char c : range.substr(0, range.find('-')))
      primary.push_back(static_cast<char>(std::tolower(c)));
    const std::optional<Language> language = language_of_tag(primary);
    if (language && quality > best_quality) {
      best_quality = quality;
      best = *language;
    }
  }
  return best;
}

std::string_view language_tag(Language language) {
  return language == Language::kSpanish ? "es" : "en";
}

std::optional<Language> language_of_tag(std::string_view tag) {
  if (tag == "en") return Language::kEnglish;
  if (tag == "es") return Language::kSpanish;
  return std::nullopt;
}

std::span<const ErrorMessage> error_messages() { return kMessages; }

std::string translate(std::string_view code, Language language, std::string_view fallback) {
  for (const auto& message : kMessages)
    if (message.code == code) return std::string(message.in(language));
  return std::string(fallback);
}

}  // namespace keyledger::server
