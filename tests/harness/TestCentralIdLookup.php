<?php
/**
 * Central accounts for the wikis of a central pair (tests/harness/central.py), standing in
 * for CentralAuth, which cannot be installed here.
 *
 * The accounts live in one SQLite file that every wiki of the pair names in
 * $wgTestCentralStore, laid out as CentralAuth's tables are (a subset of their columns):
 * globaluser (gu_id, gu_name, gu_locked, gu_registration) holds the global accounts,
 * localuser (lu_wiki, lu_name, lu_local_id, lu_attached_timestamp) the local accounts
 * attached to them, by wiki id and name. tests/harness/central.py writes it; the wikis
 * only read it, anew on every request, so that a change shows at once.
 *
 * What core asks of a provider is the same in 1.39 and 1.43: isAttached(),
 * lookupCentralIds() and lookupUserNames() are abstract; 1.43's isOwned() defaults to
 * isAttached(), which is what CentralAuth answers when $wgCentralAuthStrict is off (its
 * default). The answers are CentralAuthIdLookup's: a name's central id is the id of the
 * global account of that name, whether or not this wiki's account of that name is
 * attached to it, and 0 without one; attachment is a localuser row for this wiki.
 */

use MediaWiki\Auth\AbstractSecondaryAuthenticationProvider;
use MediaWiki\Auth\AuthenticationResponse;
use MediaWiki\User\UserIdentity;

/** The shared store: one read-only connection, and the accounts read, per request. */
class TestCentralStore {
	/** @var PDO|null */
	private static $db;
	/** @var array<string,array|false> Global accounts by wiki id and name */
	private static $accounts = [];

	public static function db(): PDO {
		if ( !self::$db ) {
			self::$db = new PDO( 'sqlite:' . $GLOBALS['wgTestCentralStore'], null, null, [
				PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
				PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
				// The harness may be writing: wait for it rather than fail.
				PDO::ATTR_TIMEOUT => 30,
			] );
		}
		return self::$db;
	}

	/**
	 * Rows of globaluser whose $column is one of $values, with the localuser row of
	 * $wikiId (lu_wiki is null where the account is not attached there).
	 */
	public static function select( string $column, array $values, string $wikiId ): array {
		if ( !$values ) {
			return [];
		}
		$in = implode( ',', array_fill( 0, count( $values ), '?' ) );
		$query = self::db()->prepare(
			'SELECT gu_id, gu_name, gu_locked, gu_registration,'
			. ' lu_wiki, lu_local_id, lu_attached_timestamp'
			. ' FROM globaluser LEFT JOIN localuser ON lu_name = gu_name AND lu_wiki = ?'
			. " WHERE $column IN ($in)"
		);
		$query->execute( array_merge( [ $wikiId ], array_values( $values ) ) );
		return $query->fetchAll();
	}

	/** The global account called $name, with its attachment to $wikiId, or false. */
	public static function account( string $name, $wikiId = UserIdentity::LOCAL ) {
		$wikiId = $wikiId ?: WikiMap::getCurrentWikiId();
		$key = "$wikiId|$name";
		if ( !array_key_exists( $key, self::$accounts ) ) {
			self::$accounts[$key] = self::select( 'gu_name', [ $name ], $wikiId )[0] ?? false;
		}
		return self::$accounts[$key];
	}
}

class TestCentralIdLookup extends CentralIdLookup {
	/**
	 * As CentralAuthIdLookup::isAttached(): a global account of the user's name exists and
	 * lists a local account on $wikiId (whether that account exists there is not looked at).
	 *
	 * @param UserIdentity $user
	 * @param string|false $wikiId
	 * @return bool
	 */
	public function isAttached( UserIdentity $user, $wikiId = UserIdentity::LOCAL ): bool {
		$account = TestCentralStore::account( $user->getName(), $wikiId );
		return $account && $account['lu_wiki'] !== null;
	}

	/**
	 * @param array $idToName
	 * @param int|MediaWiki\Permissions\Authority $audience
	 * @param int $flags READ_NORMAL (0) by default, whose constant lives in another place
	 *  in 1.39 (this class's interface) than in 1.43 (Wikimedia\Rdbms\IDBAccessObject)
	 * @return array
	 */
	public function lookupCentralIds(
		array $idToName, $audience = self::AUDIENCE_PUBLIC, $flags = 0
	): array {
		if ( !$idToName ) {
			return [];
		}
		// Only to refuse what core refuses: no account is hidden here.
		$this->checkAudience( $audience );
		$ids = array_map( 'intval', array_keys( $idToName ) );
		foreach ( TestCentralStore::select( 'gu_id', $ids, WikiMap::getCurrentWikiId() ) as $row ) {
			$idToName[(int)$row['gu_id']] = $row['gu_name'];
		}
		return $idToName;
	}

	/**
	 * @param array $nameToId
	 * @param int|MediaWiki\Permissions\Authority $audience
	 * @param int $flags
	 * @return array
	 */
	public function lookupUserNames(
		array $nameToId, $audience = self::AUDIENCE_PUBLIC, $flags = 0
	): array {
		if ( !$nameToId ) {
			return [];
		}
		$this->checkAudience( $audience );
		$names = array_map( 'strval', array_keys( $nameToId ) );
		foreach ( TestCentralStore::select( 'gu_name', $names, WikiMap::getCurrentWikiId() ) as $row ) {
			$nameToId[$row['gu_name']] = (int)$row['gu_id'];
		}
		return $nameToId;
	}
}

/** What CentralAuth's hooks make of a lock on every wiki of the account. */
class TestCentralHooks {
	/**
	 * As CentralAuthHooks::onUserIsLocked(): the user's global account is locked and
	 * attached here (or the user has no local account).
	 *
	 * @param User $user
	 * @param bool &$isLocked
	 * @return bool
	 */
	public static function onUserIsLocked( $user, &$isLocked ) {
		$account = TestCentralStore::account( $user->getName() );
		if ( $account && $account['gu_locked']
			&& ( $account['lu_wiki'] !== null || !$user->isRegistered() )
		) {
			$isLocked = true;
			return false;
		}
		return true;
	}

	/**
	 * As CentralAuthHooks::onUserGetEmailAuthenticationTimestamp(): a locked account's
	 * address is not confirmed, so that it gets no email (T87559). The address itself
	 * stays the local account's: global addresses are not stood in for.
	 *
	 * @param User $user
	 * @param string|null &$timestamp
	 * @return bool
	 */
	public static function onUserGetEmailAuthenticationTimestamp( $user, &$timestamp ) {
		$account = TestCentralStore::account( $user->getName() );
		if ( $account && $account['gu_locked'] && $account['lu_wiki'] !== null ) {
			$timestamp = null;
		}
		return true;
	}
}

/**
 * As CentralAuthSecondaryAuthenticationProvider: no one logs in under the name of a locked
 * global account, on any wiki. Its message in English only, for want of CentralAuth's
 * translations; sessions opened before the lock stay open, as no session provider of
 * CentralAuth's ends them here.
 */
class TestCentralLockedLogin extends AbstractSecondaryAuthenticationProvider {
	public function getAuthenticationRequests( $action, array $options ) {
		return [];
	}

	public function beginSecondaryAuthentication( $user, array $reqs ) {
		$account = TestCentralStore::account( $user->getName() );
		if ( $account && $account['gu_locked'] ) {
			return AuthenticationResponse::newFail(
				new RawMessage( 'You cannot log in because your account is globally locked.' ),
				[ 'locked' ]
			);
		}
		return AuthenticationResponse::newAbstain();
	}

	public function beginSecondaryAccountCreation( $user, $creator, array $reqs ) {
		return AuthenticationResponse::newAbstain();
	}
}
