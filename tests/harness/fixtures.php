<?php
/**
 * Puts a freshly installed MediaWiki into the states the tests expect.
 *
 * Reads a JSON specification (users, bulk users, blocks, pages) and applies it in one PHP
 * process: creating accounts through createAndPromote.php costs a process and a
 * password hash per user, which is far too slow for hundreds of recipients.
 *
 * Usage: MW_CONFIG_FILE=.../LocalSettings.php php fixtures.php SPEC.json
 */

use MediaWiki\MediaWikiServices;

require_once getenv( 'MW_INSTALL_PATH' ) . '/maintenance/Maintenance.php';

class EmailuserFixtures extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Create users, blocks and pages from a JSON spec' );
		$this->addArg( 'spec', 'Path of the JSON specification' );
	}

	public function execute() {
		$spec = json_decode( file_get_contents( $this->getArg( 0 ) ), true );
		$services = MediaWikiServices::getInstance();
		$admin = User::newSystemUser( 'Fixture setup', [ 'steal' => true ] );
		$services->getUserGroupManager()->addUserToMultipleGroups( $admin, [ 'sysop', 'bureaucrat' ] );

		foreach ( $spec['users'] ?? [] as $u ) {
			$this->createUser( $services, $u );
		}
		// Once every account exists: a mute list holds user ids.
		foreach ( $spec['users'] ?? [] as $u ) {
			if ( $u['mute'] ?? [] ) {
				$this->mute( $services, $u['name'], $u['mute'] );
			}
		}
		$bulk = $spec['bulk'] ?? null;
		if ( $bulk ) {
			$this->createBulk( $services, $bulk );
		}
		foreach ( $spec['blocks'] ?? [] as $b ) {
			$status = $services->getBlockUserFactory()->newBlockUser(
				$b['target'], $admin, 'infinity', 'fixture',
				[ 'isEmailBlocked' => $b['email'] ?? false, 'isCreateAccountBlocked' => false ]
			)->placeBlockUnsafe();
			if ( !$status->isOK() ) {
				$this->fatalError( "block {$b['target']}: " . $status->getMessage( false, false, 'en' )->text() );
			}
		}
		foreach ( $spec['bot_passwords'] ?? [] as $bp ) {
			$user = $services->getUserFactory()->newFromName( $bp['user'] );
			$botPassword = BotPassword::newUnsaved( [
				'user' => $user, 'appId' => $bp['appid'], 'grants' => $bp['grants'],
			] );
			// Stored hashed, as Special:BotPasswords does.
			$password = $services->getPasswordFactory()->newFromPlaintext( $bp['password'] );
			$status = $botPassword->save( 'insert', $password );
			if ( !$status->isGood() ) {
				$this->fatalError( "bot password {$bp['user']}@{$bp['appid']}: " . $status->getMessage( false, false, 'en' )->text() );
			}
		}
		foreach ( $spec['pages'] ?? [] as $p ) {
			$title = Title::newFromText( $p['title'] );
			$page = $services->getWikiPageFactory()->newFromTitle( $title );
			$status = $page->doUserEditContent(
				ContentHandler::makeContent( $p['text'], $title ), $admin, 'fixture'
			);
			if ( !$status->isOK() ) {
				$this->fatalError( "page {$p['title']}: " . $status->getMessage( false, false, 'en' )->text() );
			}
		}
		$this->output( "fixtures done\n" );
	}

	private function createUser( $services, array $u ) {
		$user = $services->getUserFactory()->newFromName( $u['name'] );
		if ( !$user ) {
			$this->fatalError( "invalid user name {$u['name']}" );
		}
		$status = $services->getAuthManager()->autoCreateUser(
			$user, MediaWiki\Auth\AuthManager::AUTOCREATE_SOURCE_MAINT, false
		);
		if ( !$status->isGood() ) {
			$this->fatalError( "create {$u['name']}: " . $status->getMessage( false, false, 'en' )->text() );
		}
		if ( isset( $u['password'] ) ) {
			$status = $user->changeAuthenticationData( [
				'username' => $user->getName(),
				'password' => $u['password'],
				'retype' => $u['password'],
			] );
			if ( !$status->isGood() ) {
				$this->fatalError( "password {$u['name']}: " . $status->getMessage( false, false, 'en' )->text() );
			}
		}
		if ( isset( $u['email'] ) ) {
			$user->setEmail( $u['email'] );
			if ( $u['confirmed'] ?? true ) {
				$user->setEmailAuthenticationTimestamp( wfTimestampNow() );
			}
		}
		$user->saveSettings();
		$options = $services->getUserOptionsManager();
		foreach ( $u['options'] ?? [] as $key => $value ) {
			$options->setOption( $user, $key, $value );
		}
		$options->saveOptions( $user );
		if ( $u['groups'] ?? [] ) {
			$services->getUserGroupManager()->addUserToMultipleGroups( $user, $u['groups'] );
		}
	}

	/** Mute email from the users *names*, as Special:Preferences does. */
	private function mute( $services, string $name, array $names ) {
		$user = $services->getUserFactory()->newFromName( $name );
		$ids = [];
		foreach ( $names as $muted ) {
			$ids[] = $services->getCentralIdLookup()->centralIdFromName(
				$muted, CentralIdLookup::AUDIENCE_RAW
			);
		}
		$options = $services->getUserOptionsManager();
		$options->setOption( $user, 'email-blacklist', implode( "\n", $ids ) );
		$options->saveOptions( $user );
	}

	/** Many plain emailable recipients, inserted in one transaction. */
	private function createBulk( $services, array $bulk ) {
		$dbw = $services->getDBLoadBalancer()->getConnection( DB_PRIMARY );
		$dbw->startAtomic( __METHOD__ );
		for ( $i = 1; $i <= $bulk['count']; $i++ ) {
			$name = sprintf( '%s %05d', $bulk['prefix'], $i );
			$noMail = ( $bulk['every_nth_without_email'] ?? 0 ) && $i % $bulk['every_nth_without_email'] === 0;
			$dbw->insert( 'user', [
				'user_name' => $name,
				'user_real_name' => '',
				'user_password' => '',
				'user_newpassword' => '',
				'user_email' => $noMail ? '' : sprintf( 'bulk%05d@%s', $i, $bulk['domain'] ),
				'user_email_authenticated' => $noMail ? null : $dbw->timestamp(),
				'user_touched' => $dbw->timestamp(),
				'user_token' => '',
				'user_registration' => $dbw->timestamp(),
				'user_editcount' => 0,
			], __METHOD__ );
			$id = $dbw->insertId();
			$dbw->insert( 'actor', [ 'actor_user' => $id, 'actor_name' => $name ], __METHOD__ );
		}
		$dbw->endAtomic( __METHOD__ );
	}
}

$maintClass = EmailuserFixtures::class;
require_once RUN_MAINTENANCE_IF_MAIN;
